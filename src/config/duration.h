// Durations as users write them in config and flags: "500ms", "1s", "10m", "1h",
// "1d", "0". A bare number other than 0 is refused (the unit must be explicit).
//
//   ParseDuration("1m30s");  // 90'000'000 µs
#pragma once

#include <string>
#include <string_view>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo {

// Microseconds; InvalidArgument describing the expected form.
Result<Micros> ParseDuration(std::string_view text);
// The shortest readable form: "1m30s", "250ms", "0s".
std::string FormatDuration(Micros micros);

}  // namespace ordo
