// The files of a database's `schema_dir`: every `*.sql` file (not in subdirectories),
// in name order, split into statements. Each statement must be one CREATE TABLE of an
// unqualified table name; anything else is refused naming the file and the line.
//
// A column may declare that it is a rename of a live column with a comment on its line:
//   `customer_id` bigint NOT NULL,  -- ordo:renamed-from buyer_id
// The plan then renames the column (CHANGE COLUMN) instead of dropping `buyer_id` and
// adding `customer_id`. Without it, a column that is missing on one side and new on
// the other is a drop and an add.
//
// Thread-safety: pure functions, except ReadSchemaFiles, which reads the directory.
//
//   ORDO_ASSIGN_OR_RETURN(SchemaFiles files, ReadSchemaFiles("schema/shop"));
//   files.statements[0].file;  // "schema/shop/orders.sql"
//   files.hash;                // sha256 of the sorted file names and contents
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/status.h"

namespace ordo::schema {

struct SchemaStatement {
  std::string file;  // as named to the user (the directory joined with the file name)
  int line = 0;      // 1-based line of the statement's first word
  std::string table;
  std::string sql;                             // as written, without the final ';'
  std::map<std::string, std::string> renames;  // column → the live column it renames
};

struct SchemaFiles {
  std::vector<SchemaStatement> statements;
  // sha256 over each file's name and contents, in name order: which desired files a
  // plan was made from.
  std::string hash;
};

// One file's statements. InvalidArgument "FILE:LINE: …" for a statement that is not a
// CREATE TABLE of an unqualified name, a table created twice, an unterminated quote
// or comment.
Result<std::vector<SchemaStatement>> ParseSchemaFile(std::string_view file, std::string_view text);

// Every *.sql file of `dir`. NotFound when the directory does not exist; InvalidArgument
// as ParseSchemaFile, or for a table created in two files.
Result<SchemaFiles> ReadSchemaFiles(const std::string& dir);

}  // namespace ordo::schema
