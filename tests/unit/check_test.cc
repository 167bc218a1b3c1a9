// ORDO_CHECK and ORDO_DCHECK as a debug build sees them (NDEBUG undefined here,
// whatever the build type); check_ndebug_test.cc pins ORDO_DCHECK with NDEBUG.
#include <gtest/gtest.h>

#undef NDEBUG
#include "core/check.h"

namespace ordo {
namespace {

TEST(CheckDeathTest, AbortsNamingTheConditionFileAndMessage) {
  int chunks = 3;
  EXPECT_DEATH(ORDO_CHECK(chunks == 4) << "chunks " << chunks,
               "check_test.cc:[0-9]+: ORDO_CHECK failed: chunks == 4: chunks 3");
}

TEST(CheckDeathTest, AbortsWithoutAMessageToo) {
  EXPECT_DEATH(ORDO_CHECK(1 + 1 == 3), "ORDO_CHECK failed: 1 \\+ 1 == 3\n");
}

TEST(CheckDeathTest, HoldingCheckEvaluatesItsConditionOnceAndNotItsMessage) {
  int evaluated = 0;
  int streamed = 0;
  ORDO_CHECK(++evaluated == 1) << ++streamed;
  EXPECT_EQ(evaluated, 1);
  EXPECT_EQ(streamed, 0);
}

TEST(CheckDeathTest, TakesAnElseLikeAnyStatement) {
  bool took_else = false;
  if (false)
    ORDO_CHECK(false);
  else
    took_else = true;
  EXPECT_TRUE(took_else);
}

TEST(DCheckDeathTest, AbortsInADebugBuild) {
  int busy = 0;
  EXPECT_DEATH(ORDO_DCHECK(busy > 0) << "keeper pool", "ORDO_DCHECK failed: busy > 0: keeper pool");
}

}  // namespace
}  // namespace ordo
