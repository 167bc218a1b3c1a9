// ORDO_DCHECK as a release build sees it (NDEBUG defined here, whatever the build
// type): it evaluates neither its condition nor its message. check_test.cc pins the
// debug build and ORDO_CHECK, which is the same in both.
#include <gtest/gtest.h>

#ifndef NDEBUG
#define NDEBUG
#endif
#include "core/check.h"

namespace ordo {
namespace {

TEST(DCheckDeathTest, WithNdebugNeitherAbortsNorEvaluatesAnything) {
  int evaluated = 0;
  int streamed = 0;
  ORDO_DCHECK(++evaluated < 0) << ++streamed;
  EXPECT_EQ(evaluated, 0);
  EXPECT_EQ(streamed, 0);
}

TEST(CheckDeathTest, StaysOnWithNdebug) {
  EXPECT_DEATH(ORDO_CHECK(false) << "always on", "ORDO_CHECK failed: false: always on");
}

}  // namespace
}  // namespace ordo
