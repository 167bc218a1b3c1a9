// ordo/target.h: listing ordo's tables in a target's schema with their owners, and
// dropping the ones an operator chose (`ordo cleanup`).
#include <algorithm>
#include <map>

#include "db/dsn.h"
#include "engine/mysql/cutover.h"
#include "engine/mysql/ownership.h"
#include "engine/mysql/table_plan.h"
#include "ordo/target.h"

namespace ordo {

// The public listing (ordo/target.h) reads the engine's ownership records.
using engine::IsSentry;
using engine::OwnedTableNames;
using engine::OwnerTableName;
using engine::ReadOwnerRecordNamed;

namespace {

constexpr const char* kLegacyFence = "_ordo_fence";

struct Suffix {
  const char* text;
  TargetObjectKind kind;
};
constexpr Suffix kSuffixes[] = {{"_ordo_new", TargetObjectKind::kShadow},
                                {"_ordo_old", TargetObjectKind::kOld},
                                {"_ordo_chk", TargetObjectKind::kCheck},
                                {"_ordo_own", TargetObjectKind::kOwner}};

// The kind of ordo table `name` is, and the application table its name tells; nullopt
// for a name that is none of ordo's (a backup included: those are the user's).
std::optional<std::pair<TargetObjectKind, std::string>> Classify(const std::string& name) {
  if (name == kLegacyFence) return std::make_pair(TargetObjectKind::kLegacyFence, std::string());
  for (const Suffix& s : kSuffixes) {
    std::string suffix = s.text;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return std::make_pair(s.kind, name.substr(0, name.size() - suffix.size()));
  }
  return std::nullopt;
}

Result<std::unique_ptr<db::MysqlConnection>> ConnectTarget(const std::string& target_dsn,
                                                           db::Dsn* dsn) {
  ORDO_ASSIGN_OR_RETURN(*dsn, db::ParseDsn(target_dsn));
  if (dsn->scheme != "mysql") return InvalidArgument("the target must be a mysql:// URL");
  if (dsn->database.empty()) return InvalidArgument(dsn->Redacted() + " names no database");
  return db::MysqlConnection::Connect(*dsn, {});
}

// The owner `object` has now: its table's record's (for an ownerless one, a record
// that has come to name it since).
Result<std::optional<TargetOwner>> CurrentOwner(db::MysqlConnection& conn,
                                                const TargetObject& object) {
  if (object.kind == TargetObjectKind::kLegacyFence) return std::optional<TargetOwner>();
  const std::string record_name =
      object.kind == TargetObjectKind::kOwner ? object.name : OwnerTableName(object.table);
  ORDO_ASSIGN_OR_RETURN(auto record, ReadOwnerRecordNamed(conn, object.schema, record_name));
  if (!record || record->owner.operation.empty()) return std::optional<TargetOwner>();
  return std::optional<TargetOwner>(record->owner);
}

}  // namespace

std::string TargetOwner::Describe() const {
  std::string out = !apply_id.empty() ? "apply " + apply_id
                                      : "operation " + (operation.empty() ? "?" : operation);
  if (!deployment.empty()) out += " (deployment " + deployment + ")";
  if (!store_name.empty()) return out + " of store " + store_name;
  if (!store_id.empty()) return out + " of store " + store_id;
  return out + " of no store";
}

const char* ToString(TargetObjectKind kind) {
  switch (kind) {
    case TargetObjectKind::kShadow:
      return "shadow";
    case TargetObjectKind::kOld:
      return "old table";
    case TargetObjectKind::kSentry:
      return "sentry";
    case TargetObjectKind::kCheck:
      return "check table";
    case TargetObjectKind::kOwner:
      return "ownership record";
    case TargetObjectKind::kLegacyFence:
      return "fence table of an older ordo";
  }
  return "?";
}

Result<std::vector<TargetObject>> ListTargetObjects(const std::string& target_dsn) {
  db::Dsn dsn;
  ORDO_ASSIGN_OR_RETURN(auto conn, ConnectTarget(target_dsn, &dsn));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn->Query("SELECT TABLE_NAME FROM information_schema.TABLES "
                                    "WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '%\\_ordo\\_%' "
                                    "ORDER BY TABLE_NAME",
                                    {db::SqlValue::Text(dsn.database)}));
  std::vector<TargetObject> objects;
  std::map<std::string, size_t> by_name;
  for (const db::SqlRow& row : rows.rows) {
    std::string name = row[0].value_or("");
    auto kind = Classify(name);
    if (!kind) continue;
    TargetObject o{dsn.database, name, kind->second, kind->first, std::nullopt};
    if (o.kind == TargetObjectKind::kOld) {
      ORDO_ASSIGN_OR_RETURN(bool sentry, IsSentry(*conn, o.schema, name));
      if (sentry) o.kind = TargetObjectKind::kSentry;
    }
    by_name[name] = objects.size();
    objects.push_back(std::move(o));
  }
  // Each record names its table, and so the tables it owns (whatever their names'
  // shortening).
  for (size_t i = 0; i < objects.size(); ++i) {
    if (objects[i].kind != TargetObjectKind::kOwner) continue;
    ORDO_ASSIGN_OR_RETURN(auto record, ReadOwnerRecordNamed(*conn, dsn.database, objects[i].name));
    if (!record || record->owner.operation.empty()) continue;
    objects[i].table = record->table;
    objects[i].owner = record->owner;
    for (const std::string& owned : OwnedTableNames(record->table)) {
      auto at = by_name.find(owned);
      if (at == by_name.end()) continue;
      objects[at->second].table = record->table;
      objects[at->second].owner = record->owner;
    }
  }
  return objects;
}

Status DropTargetObjects(const std::string& target_dsn, const std::vector<TargetObject>& objects) {
  db::Dsn dsn;
  ORDO_ASSIGN_OR_RETURN(auto conn, ConnectTarget(target_dsn, &dsn));
  // Records last: while one exists, its tables stay claimed.
  std::vector<const TargetObject*> order;
  for (const TargetObject& o : objects) order.push_back(&o);
  std::stable_partition(order.begin(), order.end(),
                        [](const TargetObject* o) { return o->kind != TargetObjectKind::kOwner; });
  for (const TargetObject* o : order) {
    ORDO_ASSIGN_OR_RETURN(auto now, CurrentOwner(*conn, *o));
    bool same = now.has_value() == o->owner.has_value() && (!now || now->SameOperation(*o->owner));
    if (!same)
      return FailedPrecondition(db::QuoteTable(o->schema, o->name) + " is now owned by " +
                                (now ? now->Describe() : std::string("nobody")) + ", not by " +
                                (o->owner ? o->owner->Describe() : std::string("nobody")) +
                                " as when it was listed; left in place");
    ORDO_RETURN_IF_ERROR(
        conn->Execute("DROP TABLE IF EXISTS " + db::QuoteTable(o->schema, o->name)));
  }
  return Status::Ok();
}

}  // namespace ordo
