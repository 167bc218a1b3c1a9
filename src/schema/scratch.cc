#include "schema/scratch.h"

#include <random>

#include "schema/reader.h"

namespace ordo::schema {
namespace {

std::string RandomHex(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string out;
  for (int i = 0; i < digits; ++i) out += kHex[rng() % 16];
  return out;
}

}  // namespace

Result<std::unique_ptr<ScratchSchema>> ScratchSchema::Create(db::MysqlConnection& conn) {
  std::string name = std::string(kScratchPrefix) + RandomHex(12);
  ORDO_RETURN_IF_ERROR(conn.Execute("CREATE DATABASE " + db::QuoteIdentifier(name)));
  return std::unique_ptr<ScratchSchema>(new ScratchSchema(conn, std::move(name)));
}

ScratchSchema::~ScratchSchema() {
  if (!dropped_) (void)Drop();
}

Status ScratchSchema::Drop() {
  dropped_ = true;
  return conn_.Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(name_));
}

Status ScratchSchema::Execute(std::string_view sql) {
  ORDO_RETURN_IF_ERROR(conn_.Execute("USE " + db::QuoteIdentifier(name_)));
  return conn_.Execute(sql);
}

Result<SchemaDef> LoadDesired(db::MysqlConnection& conn, ScratchSchema& scratch,
                              const SchemaFiles& files, const CancelCheck& cancelled) {
  ORDO_RETURN_IF_ERROR(conn.Execute("USE " + db::QuoteIdentifier(scratch.name())));
  ORDO_RETURN_IF_ERROR(conn.Execute("SET SESSION foreign_key_checks = 0"));
  for (const SchemaStatement& st : files.statements) {
    if (cancelled && cancelled()) return Cancelled("plan interrupted");
    Status run = conn.Execute(st.sql);
    if (!run.ok()) {
      if (run.Is(StatusCode::kUnavailable)) return run;
      return InvalidArgument(st.file + ":" + std::to_string(st.line) + ": table `" + st.table +
                             "`: " + run.message());
    }
  }
  ORDO_RETURN_IF_ERROR(conn.Execute("SET SESSION foreign_key_checks = 1"));
  ORDO_ASSIGN_OR_RETURN(SchemaDef desired, ReadSchema(conn, scratch.name()));
  for (const SchemaStatement& st : files.statements) {
    auto it = desired.tables.find(st.table);
    if (it == desired.tables.end()) continue;
    for (ColumnDef& c : it->second.columns)
      if (auto r = st.renames.find(c.name); r != st.renames.end()) c.renamed_from = r->second;
  }
  return desired;
}

}  // namespace ordo::schema
