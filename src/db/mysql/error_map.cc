#include <errmsg.h>
#include <mysqld_error.h>

#include "db/mysql/connection.h"

namespace ordo::db {
namespace {

std::string ErrorPrefix(unsigned int code) { return "mysql error " + std::to_string(code) + ": "; }

}  // namespace

bool IsMysqlError(const Status& s, unsigned int code) {
  return s.message().find(ErrorPrefix(code)) != std::string::npos;
}

Status MapMysqlError(unsigned int code, std::string_view message) {
  std::string text = ErrorPrefix(code) + std::string(message);
  switch (code) {
    case ER_LOCK_DEADLOCK:      // 1213
    case ER_LOCK_WAIT_TIMEOUT:  // 1205
    case 1180:                  // ER_ERROR_DURING_COMMIT (e.g. a commit conflict)
      return Aborted(text);
    case CR_CONNECTION_ERROR:      // 2002
    case CR_CONN_HOST_ERROR:       // 2003
    case CR_UNKNOWN_HOST:          // 2005
    case CR_SERVER_GONE_ERROR:     // 2006
    case CR_SERVER_LOST:           // 2013
    case CR_SERVER_LOST_EXTENDED:  // 2055
    case ER_SERVER_SHUTDOWN:       // 1053
    case ER_CON_COUNT_ERROR:       // 1040
    case 1927:                     // ER_CONNECTION_KILLED
    case ER_QUERY_INTERRUPTED:     // 1317
      return Unavailable(text);
    case ER_DUP_ENTRY:  // 1062
    case ER_DUP_KEY:    // 1022
      return AlreadyExists(text);
    case ER_TABLE_EXISTS_ERROR:  // 1050
      return {StatusCode::kAlreadyExists, text};
    case ER_NO_SUCH_TABLE:    // 1146
    case ER_BAD_DB_ERROR:     // 1049
    case ER_BAD_TABLE_ERROR:  // 1051
      return NotFound(text);
    case ER_PARSE_ERROR:                      // 1064
    case ER_BAD_FIELD_ERROR:                  // 1054
    case ER_DUP_FIELDNAME:                    // 1060
    case ER_DUP_KEYNAME:                      // 1061
    case ER_CANT_DROP_FIELD_OR_KEY:           // 1091
    case ER_WRONG_FIELD_SPEC:                 // 1063
    case ER_TOO_LONG_IDENT:                   // 1059
    case ER_NOT_SUPPORTED_YET:                // 1235
    case ER_WRONG_VALUE_COUNT_ON_ROW:         // 1136
    case ER_DATA_TOO_LONG:                    // 1406
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:  // 1366
    case ER_BAD_NULL_ERROR:                   // 1048
    case ER_INVALID_DEFAULT:                  // 1067
    case ER_BLOB_KEY_WITHOUT_LENGTH:          // 1170
      return InvalidArgument(text);
    case ER_ACCESS_DENIED_ERROR:           // 1045
    case ER_DBACCESS_DENIED_ERROR:         // 1044
    case ER_TABLEACCESS_DENIED_ERROR:      // 1142
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:  // 1227
      return FailedPrecondition(text);
    case 1969:  // ER_STATEMENT_TIMEOUT (max_statement_time)
    case 3024:  // MySQL: max_execution_time exceeded
      return Timeout(text);
    default:
      return Internal(text);
  }
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string QuoteTable(std::string_view schema, std::string_view table) {
  if (schema.empty()) return QuoteIdentifier(table);
  return QuoteIdentifier(schema) + "." + QuoteIdentifier(table);
}

}  // namespace ordo::db
