// What the lint knows about MariaDB column types, character sets and words: integer
// ranges, string capacities, decimal digits, ENUM/SET members, which character set holds
// every character of another, the reserved words and the money-like names. Pure
// functions over the type text of information_schema.COLUMNS (schema/model.h).
//
// Thread-safety: pure functions.
//
//   IntegerType t = *IntegerTypeOf(column);  // "int(10) unsigned": 0 … 4294967295
//   bool lossless = CharsetHolds("utf8mb4", "latin1");  // true
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/model.h"

namespace ordo::schema {

// An integer column's range. Values as long double: BIGINT UNSIGNED's maximum does not
// fit int64_t, and the lint only compares them.
struct IntegerType {
  long double min = 0;
  long double max = 0;
};
// nullopt unless the column is TINYINT, SMALLINT, MEDIUMINT, INT or BIGINT.
std::optional<IntegerType> IntegerTypeOf(const ColumnDef& c);

// Whether the column holds text or bytes (CHAR, VARCHAR, the TEXT and BLOB types,
// BINARY, VARBINARY).
bool IsStringType(const ColumnDef& c);
// DECIMAL(p,s) as {p, s}; nullopt for other types.
struct DecimalType {
  int precision = 0;
  int scale = 0;
};
std::optional<DecimalType> DecimalTypeOf(const ColumnDef& c);
// The members of an ENUM or SET, unquoted; empty for other types.
std::vector<std::string> EnumMembers(const ColumnDef& c);
// The fractional-second digits of a TIME, DATETIME or TIMESTAMP column; nullopt otherwise.
std::optional<int> FractionalDigits(const ColumnDef& c);

// Why changing a column from `from` to `to` can lose or refuse values ("INT is narrower
// than BIGINT"), or nullopt when every value of `from` fits `to`. Conservative: a type
// change it cannot prove safe is narrowing.
std::optional<std::string> Narrowing(const ColumnDef& from, const ColumnDef& to);

// Whether character set `to` can hold every character of `from` (utf8mb4 holds all;
// utf8mb3 holds latin1 and ascii; the same set holds itself).
bool CharsetHolds(std::string_view to, std::string_view from);
// Bytes per character at most (utf8mb4 4, utf8mb3 3, latin1 1, …; 4 when unknown).
int CharsetMaxBytes(std::string_view charset);

// Whether `name` is a reserved word of MariaDB or MySQL (case-insensitive).
bool IsReservedWord(std::string_view name);
// Whether a column name reads like an amount of money: one of its words (split at `_`
// and lower-to-upper case steps) is price, amount, cost, total, balance, fee, …
bool LooksLikeMoney(std::string_view column_name);

// Lower-cased copy.
std::string Lower(std::string_view s);

}  // namespace ordo::schema
