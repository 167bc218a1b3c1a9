// Random identifiers for the store: lease tokens (a fresh random UUID on every claim)
// and generated external apply ids ("ap_" + 20 hex digits). Shared by every backend.
//
// Thread-safety: safe from any thread (libuuid reads the system's random source).
//
//   std::string token = NewLeaseToken();   // "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#pragma once

#include <string>

namespace ordo {

std::string NewLeaseToken();
std::string NewExternalApplyId();

}  // namespace ordo
