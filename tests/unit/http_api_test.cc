// The HTTP API's pure pieces: listen addresses (and which are loopback), bearer
// tokens compared in constant time, the POST /v1/applies body, and the one
// Status → HTTP status mapping.
#include <gtest/gtest.h>

#include "api/apply_request.h"
#include "api/bearer_auth.h"
#include "api/listen_address.h"
#include "api/routes.h"

namespace ordo {
namespace {

TEST(ListenAddress, ParsesHostPortForms) {
  auto a = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_TRUE(a->loopback);

  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_TRUE(v6->loopback);
  EXPECT_EQ(v6->ToString(), "[::1]:0");

  auto any = ParseListenAddress(":9000");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_FALSE(any->loopback);
}

TEST(ListenAddress, LoopbackIsOnlyThisHost) {
  EXPECT_TRUE(ParseListenAddress("localhost:1")->loopback);
  EXPECT_TRUE(ParseListenAddress("127.8.9.10:1")->loopback);
  EXPECT_FALSE(ParseListenAddress("0.0.0.0:1")->loopback);
  EXPECT_FALSE(ParseListenAddress("[::]:1")->loopback);
  EXPECT_FALSE(ParseListenAddress("10.0.0.1:1")->loopback);
  EXPECT_FALSE(ParseListenAddress("db.example.com:1")->loopback);
}

TEST(ListenAddress, RefusesMalformedAddressesNamingTheSource) {
  for (const char* bad :
       {"8080", "host:", "host:http", "host:70000", "::1:80", "[::1]80", "h:-1"}) {
    auto a = ParseListenAddress(bad, "ordo.yaml: api.listen");
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_TRUE(a.status().Is(StatusCode::kInvalidArgument));
    EXPECT_NE(a.status().message().find("ordo.yaml: api.listen"), std::string::npos)
        << a.status().message();
  }
}

TEST(BearerAuth, AcceptsOnlyTheExactTokenWithTheBearerScheme) {
  EXPECT_TRUE(Authorized("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(Authorized("bearer s3cret", "s3cret"));
  EXPECT_FALSE(Authorized("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(Authorized("Bearer s3crett", "s3cret"));
  EXPECT_FALSE(Authorized("Basic s3cret", "s3cret"));
  EXPECT_FALSE(Authorized("s3cret", "s3cret"));
  EXPECT_FALSE(Authorized("", "s3cret"));
  EXPECT_FALSE(Authorized("Bearer ", ""));  // no expected token: nothing authorizes
}

TEST(BearerAuth, ConstantTimeEqualsComparesContentsAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abd", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("abc\0", 4), "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ApplyRequestBody, ParsesEveryField) {
  auto r = ParseApplyRequest(
      R"({"database":"shop","environment":"prod","ddl":["ALTER TABLE t ADD COLUMN c INT"],"defer_cutover":true})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->database, "shop");
  EXPECT_EQ(r->environment, "prod");
  ASSERT_EQ(r->ddl.size(), 1u);
  EXPECT_TRUE(r->defer_cutover);
  EXPECT_FALSE(r->allow_unsafe);
}

TEST(ApplyRequestBody, RefusesWhatItCannotTakeNamingTheField) {
  struct Case {
    const char* body;
    const char* says;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[1]", "expected a JSON object"},
      {R"({"environment":"prod","ddl":[]})", "database: required"},
      {R"({"database":"","environment":"prod","ddl":[]})", "database: expected a non-empty string"},
      {R"({"database":"shop","ddl":[]})", "environment: required"},
      {R"({"database":"shop","environment":"prod"})", "ddl: required"},
      {R"({"database":"shop","environment":"prod","ddl":"ALTER TABLE t"})", "ddl: expected a list"},
      {R"({"database":"shop","environment":"prod","ddl":[1]})", "ddl[0]: expected a string"},
      {R"({"database":"shop","environment":"prod","ddl":[],"defer_cutover":"yes"})",
       "defer_cutover: expected true or false"},
      {R"({"database":"shop","environment":"prod","ddl":[],"deferCutover":true})",
       "unknown field \"deferCutover\""},
      {R"({"database":"shop","environment":"prod","plan":"pl_1"})",
       "plan: declarative plans are not available yet"},
  };
  for (const auto& c : cases) {
    auto r = ParseApplyRequest(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_TRUE(r.status().Is(StatusCode::kInvalidArgument)) << c.body;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos)
        << c.body << " → " << r.status().message();
  }
}

TEST(HttpStatus, MapsEveryStatusCodeOnce) {
  EXPECT_EQ(api::HttpStatusFor(InvalidArgument("x")), 400);
  EXPECT_EQ(api::HttpStatusFor(NotFound("x")), 404);
  EXPECT_EQ(api::HttpStatusFor(Conflict("x")), 409);
  EXPECT_EQ(api::HttpStatusFor(FailedPrecondition("x")), 409);
  EXPECT_EQ(api::HttpStatusFor(AlreadyExists("x")), 409);
  EXPECT_EQ(api::HttpStatusFor(Unavailable("x")), 503);
  EXPECT_EQ(api::HttpStatusFor(Aborted("x")), 503);
  EXPECT_EQ(api::HttpStatusFor(Internal("x")), 500);
  EXPECT_EQ(api::HttpStatusFor(LeaseLost("x")), 500);
}

}  // namespace
}  // namespace ordo
