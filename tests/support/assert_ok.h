// Assertions on Status and Result<T> for tests: the failure message is the status.
//
//   ORDO_ASSERT_OK(conn->Execute("DELETE FROM t"));
//   ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewMysqlEngine(spec, &host));
//
// Like ASSERT_*, they return from the enclosing void function when they fail.
#pragma once

#include <gtest/gtest.h>

#include "ordo/status.h"

// Fails the test (fatally) with the status when `expr`, a Status, is not ok.
#define ORDO_ASSERT_OK(expr)                         \
  do {                                               \
    ::ordo::Status ordo_s_ = (expr);                 \
    ASSERT_TRUE(ordo_s_.ok()) << ordo_s_.ToString(); \
  } while (0)

#define ORDO_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();    \
  lhs = std::move(tmp).value()

// Binds the value of `expr`, a Result<T>, to `lhs`, or fails the test with its status.
#define ORDO_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ORDO_ASSERT_OK_AND_ASSIGN_IMPL(ORDO_CONCAT(ordo_assert_result_, __LINE__), lhs, expr)
