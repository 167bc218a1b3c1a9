#include "ordo/status.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ORDO_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

Status CheckEven(int x) {
  ORDO_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(Status, OkByDefaultAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, TransientCodesAreRetryable) {
  EXPECT_TRUE(Aborted("deadlock").retryable());
  EXPECT_TRUE(Unavailable("gone").retryable());
  EXPECT_FALSE(LeaseLost("x").retryable());
  EXPECT_FALSE(InvalidArgument("x").retryable());
  EXPECT_EQ(Aborted("deadlock").ToString(), "aborted: deadlock (retryable)");
}

TEST(Status, WithContextPrefixesMessageAndKeepsCode) {
  Status s = NotFound("row 7").WithContext("heartbeat");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "heartbeat: row 7");
}

TEST(Result, PropagatesErrorsThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

}  // namespace
}  // namespace ordo
