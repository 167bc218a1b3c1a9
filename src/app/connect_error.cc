#include "app/connect_error.h"

#include "db/dsn.h"
#include "db/mysql/connection.h"

namespace ordo::app {

Status ConnectError(const std::string& what, const Status& cause) {
  std::string why = db::RedactUrls(cause.message());
  // 1045: wrong user or password; 1044: the user may not use the database.
  if (db::IsMysqlError(cause, 1045) || db::IsMysqlError(cause, 1044))
    return InvalidArgument(what + " refused the login (check the user and password): " + why);
  return Unavailable(what + " is unreachable: " + why);
}

}  // namespace ordo::app
