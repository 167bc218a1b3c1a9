// MapPgError and MapPgConnectError: which Status each SQLSTATE becomes.
#include <gtest/gtest.h>

#include "db/postgres/error_map.h"

namespace ordo {
namespace {

struct Row {
  const char* sqlstate;
  StatusCode code;
  bool retryable;
};

TEST(PgErrorMap, EverySqlstateOfTheTableMapsToItsCode) {
  const Row rows[] = {
      {"40001", StatusCode::kAborted, true},
      {"40P01", StatusCode::kAborted, true},
      {"55P03", StatusCode::kAborted, true},
      {"40000", StatusCode::kAborted, true},
      {"08006", StatusCode::kUnavailable, true},
      {"08001", StatusCode::kUnavailable, true},
      {"08003", StatusCode::kUnavailable, true},
      {"57P01", StatusCode::kUnavailable, true},
      {"57P02", StatusCode::kUnavailable, true},
      {"57P03", StatusCode::kUnavailable, true},
      {"53300", StatusCode::kUnavailable, true},
      {"57014", StatusCode::kTimeout, true},
      {"23505", StatusCode::kAlreadyExists, false},
      {"23P01", StatusCode::kAlreadyExists, false},
      {"42P07", StatusCode::kAlreadyExists, false},
      {"42P01", StatusCode::kNotFound, false},
      {"3D000", StatusCode::kNotFound, false},
      {"23502", StatusCode::kInvalidArgument, false},
      {"23514", StatusCode::kInvalidArgument, false},
      {"23503", StatusCode::kFailedPrecondition, false},
      {"23000", StatusCode::kFailedPrecondition, false},
      {"42601", StatusCode::kInvalidArgument, false},
      {"42703", StatusCode::kInvalidArgument, false},
      {"22001", StatusCode::kInvalidArgument, false},
      {"22P02", StatusCode::kInvalidArgument, false},
      {"28P01", StatusCode::kFailedPrecondition, false},
      {"28000", StatusCode::kFailedPrecondition, false},
      {"42501", StatusCode::kFailedPrecondition, false},
      {"25P02", StatusCode::kFailedPrecondition, false},
      {"XX000", StatusCode::kInternal, false},
      {"53100", StatusCode::kInternal, false},
  };
  for (const Row& r : rows) {
    Status s = db::MapPgError(r.sqlstate, "m");
    EXPECT_EQ(s.code(), r.code) << r.sqlstate << ": " << s.ToString();
    EXPECT_EQ(s.retryable(), r.retryable) << r.sqlstate;
    EXPECT_TRUE(db::IsPgError(s, r.sqlstate)) << s.message();
  }
}

TEST(PgErrorMap, MessageNamesTheSqlstateOnOneLineWithoutPasswords) {
  Status s = db::MapPgError("42601",
                            "syntax error at or near \"SELEC\"\n\tfrom postgres://u:hunter2@h/db");
  EXPECT_EQ(s.message(),
            "postgres error 42601: syntax error at or near \"SELEC\" from postgres://u:***@h/db");
  EXPECT_TRUE(db::IsPgError(s.WithContext("claiming"), "42601"));
  EXPECT_FALSE(db::IsPgError(s, "42P01"));
}

TEST(PgErrorMap, LostConnectionIsUnavailableWhateverTheSqlstate) {
  Status s =
      db::MapPgError("", "server closed the connection unexpectedly", /*connection_lost=*/true);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_TRUE(db::IsPgError(s, "08006"));
  EXPECT_EQ(db::MapPgError("25P03", "idle-in-transaction timeout", true).code(),
            StatusCode::kUnavailable);
  // Without a lost connection an error libpq made up is Internal.
  EXPECT_EQ(db::MapPgError("", "odd", false).code(), StatusCode::kInternal);
}

TEST(PgErrorMap, RefusedLoginIsFoundInLibpqsTextAndIsNotRetryable) {
  Status s = db::MapPgConnectError(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password "
      "authentication failed for user \"ordo\"\nLOCATION:  auth_failed, auth.c:326\n");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(s.retryable());
  EXPECT_EQ(s.message(), "postgres error 28P01: password authentication failed for user \"ordo\"");
  // A translated severity changes nothing.
  EXPECT_EQ(db::MapPgConnectError("… failed: FATAL:  3D000: la base n'existe pas\n").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      db::MapPgConnectError("… failed: FATAL:  57P03: the database system is starting up\n").code(),
      StatusCode::kUnavailable);
}

TEST(PgErrorMap, ConnectFailureWithoutAServerErrorIsUnavailable) {
  Status s = db::MapPgConnectError(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the "
      "server running on that host and accepting TCP/IP connections?\n");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_TRUE(db::IsPgError(s, "08001"));
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace ordo
