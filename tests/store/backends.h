// The backends the conformance suite runs against, and the base fixture every suite
// file derives from.
//
// Registering a backend is one line in backends.cc (AllBackends) plus its fixture
// source in CMakeLists.txt. A backend whose OpenFresh answers Unavailable makes each
// test skip with the reason, or fail when ORDO_REQUIRE_SERVERS=1.
//
//   class CopyClaim : public StoreSuite {};
//   TEST_P(CopyClaim, RollingStartsInDeploymentOrder) { auto a = Create("rolling"); ... }
//   ORDO_INSTANTIATE_STORE_SUITE(CopyClaim);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ordo/store.h"
#include "store_backend.h"

namespace ordo::testing {

struct BackendEntry {
  std::string name;
  std::function<std::unique_ptr<StoreBackend>()> make;
};

const std::vector<BackendEntry>& AllBackends();

std::unique_ptr<StoreBackend> MakeSqliteBackend();
std::unique_ptr<StoreBackend> MakeMysqlBackend();
std::unique_ptr<StoreBackend> MakePostgresBackend();

}  // namespace ordo::testing

#define ORDO_INSTANTIATE_STORE_SUITE(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::ValuesIn(::ordo::testing::AllBackends()), \
                           [](const auto& info) { return info.param.name; })
