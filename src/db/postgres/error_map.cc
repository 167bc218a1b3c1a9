#include "db/postgres/error_map.h"

#include <algorithm>
#include <string>

#include "db/dsn.h"

namespace ordo::db {
namespace {

std::string ErrorPrefix(std::string_view sqlstate) {
  return "postgres error " + std::string(sqlstate) + ": ";
}

bool InClass(std::string_view sqlstate, std::string_view cls) {
  return sqlstate.size() == 5 && sqlstate.substr(0, 2) == cls;
}

// One line: libpq's texts end in a newline and continue on indented lines.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool IsSqlstateChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

StatusCode CodeFor(std::string_view s) {
  if (s == "40001" || s == "40P01" || s == "40000" || s == "55P03") return StatusCode::kAborted;
  if (InClass(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "57P05" ||
      s == "53300" || s == "40003")
    return StatusCode::kUnavailable;
  if (s == "57014") return StatusCode::kTimeout;
  if (s == "23505" || s == "23P01" || s == "42P07" || s == "42P04")
    return StatusCode::kAlreadyExists;
  if (s == "42P01" || s == "3D000" || s == "3F000") return StatusCode::kNotFound;
  if (s == "28000" || s == "28P01" || s == "42501" || s == "25P02" || s == "40002")
    return StatusCode::kFailedPrecondition;
  if (s == "23502" || s == "23514") return StatusCode::kInvalidArgument;
  if (InClass(s, "23")) return StatusCode::kFailedPrecondition;
  if (InClass(s, "22") || InClass(s, "42") || s == "0A000") return StatusCode::kInvalidArgument;
  return StatusCode::kInternal;
}

}  // namespace

Status MapPgError(std::string_view sqlstate, std::string_view message, bool connection_lost) {
  if (sqlstate.empty()) sqlstate = connection_lost ? "08006" : "XX000";
  std::string text = ErrorPrefix(sqlstate) + OneLine(RedactUrls(message));
  StatusCode code = connection_lost ? StatusCode::kUnavailable : CodeFor(sqlstate);
  bool retryable = code == StatusCode::kAborted || code == StatusCode::kUnavailable ||
                   code == StatusCode::kTimeout;
  return Status(code, std::move(text), retryable);
}

Status MapPgConnectError(std::string_view text) {
  // With PQERRORS_VERBOSE each server error reads "<SEVERITY>:  <SQLSTATE>: <message>"
  // (the severity may be translated; the two spaces and the code are not), so the
  // SQLSTATE is found without reading any translated word.
  for (size_t pos = text.find(":  "); pos != std::string_view::npos;
       pos = text.find(":  ", pos + 1)) {
    std::string_view rest = text.substr(pos + 3);
    if (rest.size() >= 7 && rest.substr(5, 2) == ": " &&
        std::all_of(rest.begin(), rest.begin() + 5, IsSqlstateChar)) {
      std::string_view message = rest.substr(7);
      return MapPgError(rest.substr(0, 5), message.substr(0, message.find('\n')));
    }
  }
  return MapPgError("08001", text);
}

bool IsPgError(const Status& s, std::string_view sqlstate) {
  return s.message().find(ErrorPrefix(sqlstate)) != std::string::npos;
}

}  // namespace ordo::db
