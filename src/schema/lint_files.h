// The lint of the schema files themselves (schema/files.h): missing-charset, a CREATE
// TABLE whose table options name no character set or collation, so the table takes
// the default of whichever server it lands on. The only rule that needs the text as
// written: once loaded, the server has filled the default in.
//
// Thread-safety: pure function.
//
//   ORDO_ASSIGN_OR_RETURN(SchemaFiles files, ReadSchemaFiles(dir));
//   std::vector<Finding> f = LintSchemaFiles(files.statements);
#pragma once

#include <vector>

#include "schema/files.h"
#include "schema/lint.h"

namespace ordo::schema {

// A missing-charset finding for each statement without CHARSET, CHARACTER SET or COLLATE
// in its table options, naming the file and line.
std::vector<Finding> LintSchemaFiles(const std::vector<SchemaStatement>& statements);

// The table options of a CREATE TABLE statement (the text after the column list), with
// quoted strings and comments left out, lower-cased, whitespace squeezed to one space.
std::string TableOptionsText(std::string_view create_sql);

}  // namespace ordo::schema
