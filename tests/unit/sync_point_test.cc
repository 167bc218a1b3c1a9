#include "ordo/sync_point.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ordo {
namespace {

TEST(SyncPoints, DependencyOrdersTwoThreads) {
  std::vector<int> order;
  std::mutex mu;
  SyncPoints::Get().LoadDependencies({{"A:done", "B:start"}});
  SyncPoints::Get().Enable();
  std::thread b([&] {
    ORDO_SYNC_POINT("B:start");
    std::lock_guard<std::mutex> l(mu);
    order.push_back(2);
  });
  std::thread a([&] {
    {
      std::lock_guard<std::mutex> l(mu);
      order.push_back(1);
    }
    ORDO_SYNC_POINT("A:done");
  });
  a.join();
  b.join();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(SyncPoints, CallbackRunsOnReachingThread) {
  int hits = 0;
  SyncPoints::Get().SetCallback("X", [&] { ++hits; });
  SyncPoints::Get().Enable();
  ORDO_SYNC_POINT("X");
  ORDO_SYNC_POINT("X");
  SyncPoints::Get().DisableAndClear();
  ORDO_SYNC_POINT("X");
  EXPECT_EQ(hits, 2);
}

}  // namespace
}  // namespace ordo
