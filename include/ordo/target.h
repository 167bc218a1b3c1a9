// Target: what ordo keeps in a deployment's schema, and who owns it.
//
// Before ordo creates anything in a target's schema for an operation, it records the
// operation as the owner of each changed table's ordo names there (`<t>_ordo_own`, one
// row: the store, the apply, the operation); an engine never creates, writes or drops
// an ordo table whose name another operation owns, or that nobody owns. The records go
// away with the tables when the operation settles (docs/engine.md, "Ownership on the
// target"). These functions list what is there and drop what an operator decides is
// abandoned (`ordo cleanup`, docs/guide.md).
//
// Thread-safety: free functions; each opens its own connection.
//
//   ORDO_ASSIGN_OR_RETURN(auto objects, ListTargetObjects("mysql://ordo:pw@db1:3306/shop"));
//   for (const TargetObject& o : objects)
//     if (!o.owner) std::cout << o.name << " has no owner\n";
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ordo/status.h"

namespace ordo {

// Who owns an operation's tables on a target.
struct TargetOwner {
  std::string store_id;    // Store::StoreId() of the store holding the operation
  std::string store_name;  // the store for messages: its URL, password redacted
  std::string apply_id;    // the apply's external id (ap_…)
  std::string operation;   // the operation within its store (the operation row's id)
  std::string deployment;  // the deployment's name in the store's config

  // One operation's: the same store and the same operation (apply ids may be chosen
  // by callers, so they alone decide nothing).
  bool SameOperation(const TargetOwner& other) const {
    return store_id == other.store_id && operation == other.operation;
  }
  // "apply ap_3f… (deployment eu-1) of store sqlite:/srv/ordo.db".
  std::string Describe() const;
};

enum class TargetObjectKind {
  kShadow,       // `<t>_ordo_new`: the shadow copy (or a created table before its swap)
  kOld,          // `<t>_ordo_old`: the old table kept for the revert window
  kSentry,       // `<t>_ordo_old` while a swap runs: an empty placeholder
  kCheck,        // `<t>_ordo_chk`: the empty copy preflight tries a change on
  kOwner,        // `<t>_ordo_own`: the ownership record (and the operation's fence)
  kLegacyFence,  // `_ordo_fence`: the fence table of older ordo versions
};
const char* ToString(TargetObjectKind kind);

// One of ordo's tables in a target's schema. Backups made with keep_old_table
// (`<t>_ordo_bak_<time>`) are the user's and never listed.
struct TargetObject {
  std::string schema;
  std::string name;   // the table's name
  std::string table;  // the application table it serves, as its name tells
  TargetObjectKind kind = TargetObjectKind::kShadow;
  // Who owns it; nullopt: nobody (no record names it: left by an older ordo, by hand,
  // or by an operation that crashed while recording itself).
  std::optional<TargetOwner> owner;
};

// Every ordo table in the schema `target_dsn` names, each record's tables with the
// record's owner, sorted by name. Unavailable when the target cannot be reached.
Result<std::vector<TargetObject>> ListTargetObjects(const std::string& target_dsn);

// Drops `objects` (as ListTargetObjects returned them), each only while it still has
// the owner it was listed with (the record re-read just before; ownerless ones only
// while no record names them), and a record only after the other tables it owns.
// FailedPrecondition naming the first object whose owner changed since (nothing more
// is dropped after it).
Status DropTargetObjects(const std::string& target_dsn, const std::vector<TargetObject>& objects);

}  // namespace ordo
