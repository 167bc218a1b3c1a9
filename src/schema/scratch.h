// Scratch schemas: schemas ordo creates on a server for the declarative workflow, named
// `_ordo_plan_<random hex>` (ordo's own prefix; no user schema is ever touched), and
// always dropped again: by Drop(), or by the destructor on every other path (an error,
// a cancel). The desired schema is the files of schema_dir loaded into one of them and
// read back (reader.h), so the server, not ordo, parses the CREATE TABLE statements.
//
// Thread-safety: a ScratchSchema uses the connection it was given; one thread at a time.
//
//   ORDO_ASSIGN_OR_RETURN(auto scratch, ScratchSchema::Create(conn));
//   ORDO_ASSIGN_OR_RETURN(SchemaDef desired, LoadDesired(conn, *scratch, files, cancelled));
//   ORDO_RETURN_IF_ERROR(scratch->Drop());
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/mysql/connection.h"
#include "ordo/status.h"
#include "schema/files.h"
#include "schema/model.h"

namespace ordo::schema {

// The prefix of every scratch schema's name.
inline constexpr std::string_view kScratchPrefix = "_ordo_plan_";

// Returns true when the caller was asked to stop (Ctrl-C): the load stops between
// statements with Cancelled, and the scratch schema is dropped.
using CancelCheck = std::function<bool()>;

class ScratchSchema {
 public:
  // Creates a fresh scratch schema on `conn`'s server. The server's error when the
  // user may not create schemas.
  static Result<std::unique_ptr<ScratchSchema>> Create(db::MysqlConnection& conn);
  ~ScratchSchema();  // drops the schema if Drop() was not called
  ScratchSchema(const ScratchSchema&) = delete;
  ScratchSchema& operator=(const ScratchSchema&) = delete;

  const std::string& name() const { return name_; }
  // DROP DATABASE; the server's error if that fails.
  Status Drop();
  // Runs `sql` with the scratch schema as the current one (unqualified names land there).
  Status Execute(std::string_view sql);

 private:
  ScratchSchema(db::MysqlConnection& conn, std::string name)
      : conn_(conn), name_(std::move(name)) {}
  db::MysqlConnection& conn_;
  std::string name_;
  bool dropped_ = false;
};

// Runs every statement of `files` in `scratch` (foreign key checks off, so the files
// may come in any order) and reads the result back, with each column's declared rename
// filled in. InvalidArgument "FILE:LINE: table `t`: <server's error>" for a statement
// the server refuses; Cancelled when `cancelled` says so.
Result<SchemaDef> LoadDesired(db::MysqlConnection& conn, ScratchSchema& scratch,
                              const SchemaFiles& files, const CancelCheck& cancelled);

}  // namespace ordo::schema
