// Dsn: a parsed database URL, e.g. "mysql://user:pa%40ss@127.0.0.1:3306/shop?ssl=0".
//
// User and password are percent-decoded. Redacted() is the only form that may be
// printed or logged: it never contains the password.
//
// Thread-safety: a plain value.
//
//   ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn("mysql://ordo:secret@127.0.0.1:3306/ordo"));
//   dsn.port;        // 3306
//   dsn.Redacted();  // "mysql://ordo:***@127.0.0.1:3306/ordo"
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ordo/status.h"

namespace ordo::db {

struct Dsn {
  std::string scheme;  // mysql, postgres, sqlite
  std::string user;
  std::string password;
  std::string host;
  int port = 0;  // 0: the scheme's default
  std::string database;
  std::map<std::string, std::string> params;

  // The URL with the password replaced by "***".
  std::string Redacted() const;
  // The URL with every part, password included. Never log this.
  std::string ToUrl() const;
};

// InvalidArgument naming what is wrong (missing scheme, bad port, …). For "sqlite:PATH"
// the path goes into `database`.
Result<Dsn> ParseDsn(std::string_view url);

// Replaces any password in a free-form text that contains URLs ("scheme://user:pass@")
// by "***"; for error messages that may echo a DSN.
std::string RedactUrls(std::string_view text);

}  // namespace ordo::db
