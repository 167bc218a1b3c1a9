// A strict reader of the Prometheus text exposition format (0.0.4) for tests:
// every line is a # HELP / # TYPE comment or a sample `name{label="value",…} value`;
// a family's TYPE comes before its samples, and its samples are contiguous.
//
// Thread-safety: pure function.
//
//   auto samples = ParsePrometheusText(body);
//   (*samples)["ordo_claims_total{kind=\"copy\",outcome=\"claimed\"}"];
#pragma once

#include <map>
#include <string>

#include "ordo/status.h"

namespace ordo::testing {

// Sample key (the line up to the value, as written) → value. InvalidArgument naming
// the first line that breaks the format.
Result<std::map<std::string, double>> ParsePrometheusText(const std::string& text);

}  // namespace ordo::testing
