#include "schema/lint_types.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ordo::schema {
namespace {

bool Unsigned(const ColumnDef& c) {
  return Lower(c.column_type).find("unsigned") != std::string::npos;
}

// The numbers in the first parenthesis of the type text: "decimal(10,2)" → {10, 2}.
std::vector<int> TypeArguments(const ColumnDef& c) {
  std::vector<int> out;
  size_t open = c.column_type.find('(');
  if (open == std::string::npos) return out;
  const char* p = c.column_type.c_str() + open + 1;
  while (*p >= '0' && *p <= '9') {
    char* end = nullptr;
    out.push_back(static_cast<int>(std::strtol(p, &end, 10)));
    p = end;
    if (*p != ',') break;
    ++p;
  }
  return out;
}

bool IsBinaryString(const ColumnDef& c) {
  std::string t = Lower(c.data_type);
  return t == "binary" || t == "varbinary" || t.find("blob") != std::string::npos;
}

bool IsTemporal(const std::string& t) {
  return t == "date" || t == "datetime" || t == "timestamp" || t == "time" || t == "year";
}

// Digits (and a sign) an integer of `t` can need as text.
int IntegerWidth(const IntegerType& t) {
  long double widest = std::max(std::fabs(t.min), std::fabs(t.max));
  int digits = 1;
  while (widest >= 10) {
    widest /= 10;
    ++digits;
  }
  return digits + (t.min < 0 ? 1 : 0);
}

std::string TypeText(const ColumnDef& c) { return Lower(c.column_type); }

}  // namespace

std::optional<IntegerType> IntegerTypeOf(const ColumnDef& c) {
  std::string t = Lower(c.data_type);
  int bytes = t == "tinyint"     ? 1
              : t == "smallint"  ? 2
              : t == "mediumint" ? 3
              : t == "int"       ? 4
              : t == "bigint"    ? 8
                                 : 0;
  if (bytes == 0) return std::nullopt;
  long double span = std::ldexp(1.0L, 8 * bytes);
  if (Unsigned(c)) return IntegerType{0, span - 1};
  return IntegerType{-span / 2, span / 2 - 1};
}

bool IsStringType(const ColumnDef& c) {
  std::string t = Lower(c.data_type);
  return t == "char" || t == "varchar" || t.find("text") != std::string::npos || IsBinaryString(c);
}

std::optional<DecimalType> DecimalTypeOf(const ColumnDef& c) {
  if (Lower(c.data_type) != "decimal") return std::nullopt;
  std::vector<int> args = TypeArguments(c);
  DecimalType d{10, 0};
  if (!args.empty()) d.precision = args[0];
  if (args.size() > 1) d.scale = args[1];
  return d;
}

std::vector<std::string> EnumMembers(const ColumnDef& c) {
  std::vector<std::string> out;
  std::string t = Lower(c.data_type);
  if (t != "enum" && t != "set") return out;
  const std::string& s = c.column_type;
  size_t i = s.find('(');
  while (i != std::string::npos && i < s.size()) {
    i = s.find('\'', i);
    if (i == std::string::npos) break;
    std::string member;
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        member += '\'';
        ++i;
      } else if (s[i] == '\'') {
        break;
      } else {
        member += s[i];
      }
    }
    out.push_back(member);
    ++i;
  }
  return out;
}

std::optional<int> FractionalDigits(const ColumnDef& c) {
  std::string t = Lower(c.data_type);
  if (t != "time" && t != "datetime" && t != "timestamp") return std::nullopt;
  std::vector<int> args = TypeArguments(c);
  return args.empty() ? 0 : args[0];
}

std::optional<std::string> Narrowing(const ColumnDef& from, const ColumnDef& to) {
  if (TypeText(from) == TypeText(to)) return std::nullopt;
  std::string ft = Lower(from.data_type), tt = Lower(to.data_type);
  std::string change = from.column_type + " to " + to.column_type;
  auto fi = IntegerTypeOf(from), ti = IntegerTypeOf(to);
  if (fi && ti) {
    if (ti->min <= fi->min && ti->max >= fi->max) return std::nullopt;
    return change + " narrows the range of values";
  }
  if (fi) {
    auto td = DecimalTypeOf(to);
    if (td && td->precision - td->scale >= IntegerWidth(*fi) - (fi->min < 0 ? 1 : 0))
      return std::nullopt;
    long double exact = tt == "double"  ? std::ldexp(1.0L, 53)
                        : tt == "float" ? std::ldexp(1.0L, 24)
                                        : 0;
    if (exact > 0 && std::max(std::fabs(fi->min), fi->max) <= exact) return std::nullopt;
    if (IsStringType(to) && !IsBinaryString(to) && to.max_length &&
        *to.max_length >= IntegerWidth(*fi))
      return std::nullopt;
    return change + " cannot hold every value of the integer type";
  }
  auto fd = DecimalTypeOf(from), td = DecimalTypeOf(to);
  if (fd && td) {
    if (td->precision - td->scale >= fd->precision - fd->scale && td->scale >= fd->scale)
      return std::nullopt;
    return change + " has fewer digits before or after the point";
  }
  if (ft == "float" && tt == "double") return std::nullopt;
  std::vector<std::string> fm = EnumMembers(from), tm = EnumMembers(to);
  if (!fm.empty() && ft == tt) {
    for (const std::string& m : fm)
      if (std::find(tm.begin(), tm.end(), m) == tm.end())
        return change + " drops the member '" + m + "'";
    return std::nullopt;
  }
  if (!fm.empty() && ft == "enum" && IsStringType(to) && !IsBinaryString(to) && to.max_length) {
    for (const std::string& m : fm)
      if (static_cast<int64_t>(m.size()) > *to.max_length)
        return change + " is too short for the member '" + m + "'";
    return std::nullopt;
  }
  if (IsStringType(from) && IsStringType(to)) {
    if (IsBinaryString(from) != IsBinaryString(to))
      return change + " turns " + (IsBinaryString(from) ? "bytes into text" : "text into bytes");
    if (from.max_length && to.max_length && *to.max_length < *from.max_length)
      return change + " holds " + std::to_string(*to.max_length) + " characters instead of " +
             std::to_string(*from.max_length);
    return std::nullopt;
  }
  if (IsTemporal(ft) && IsTemporal(tt)) {
    auto ff = FractionalDigits(from), tf = FractionalDigits(to);
    bool fraction_kept = !ff || !tf || *tf >= *ff;
    bool holds = ft == tt || (ft == "date" && (tt == "datetime" || tt == "timestamp")) ||
                 (ft == "timestamp" && tt == "datetime");
    if (holds && fraction_kept) return std::nullopt;
    return change + (holds ? " keeps fewer fractional-second digits"
                           : " cannot hold every value of the old type");
  }
  return change + " converts every value; values that do not convert fail or change";
}

namespace {
std::string Canonical(std::string_view charset) {
  std::string c = Lower(charset);
  return c == "utf8" ? "utf8mb3" : c;
}
}  // namespace

bool CharsetHolds(std::string_view to, std::string_view from) {
  std::string t = Canonical(to), f = Canonical(from);
  if (t == f || f.empty() || t.empty()) return true;
  if (t == "utf8mb4" || t == "utf16" || t == "utf16le" || t == "utf32") return f != "binary";
  if (t == "utf8mb3" || t == "ucs2")
    return f == "ascii" || f == "latin1" || f == "utf8mb3" || f == "ucs2";
  if (t == "latin1") return f == "ascii";
  return false;
}

int CharsetMaxBytes(std::string_view charset) {
  std::string c = Canonical(charset);
  if (c == "utf8mb3") return 3;
  if (c == "ucs2") return 2;
  if (c == "latin1" || c == "ascii" || c == "binary" || c == "latin2" || c == "cp1250" ||
      c == "cp1251" || c == "cp1256" || c == "cp1257" || c == "greek" || c == "hebrew" ||
      c == "koi8r" || c == "koi8u" || c == "swe7" || c == "dec8" || c == "hp8" || c == "armscii8" ||
      c == "geostd8" || c == "cp850" || c == "cp852" || c == "cp866" || c == "keybcs2" ||
      c == "macce" || c == "macroman" || c == "latin5" || c == "latin7" || c == "tis620")
    return 1;
  return 4;
}

}  // namespace ordo::schema
