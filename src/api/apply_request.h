// The body of `POST /v1/applies` as an ApplyRequest (app/apply_creation.h), which
// `ordo apply` builds from its flags instead; both end in the same validation and
// creation path.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(ApplyRequest r, ParseApplyRequest(R"({"database":"shop",…})"));
#pragma once

#include <string_view>

#include "app/apply_creation.h"
#include "ordo/status.h"

namespace ordo {

// Parses the JSON body of POST /v1/applies:
//   {"database":"shop","environment":"production","ddl":["ALTER TABLE …"],
//    "defer_cutover":false,"allow_unsafe":false}
// database, environment and ddl are required; the flags default to false. Unknown
// fields are refused (a typo must not be silently ignored), and so is "plan" until
// declarative plans exist. InvalidArgument naming the field otherwise.
Result<app::ApplyRequest> ParseApplyRequest(std::string_view body);

}  // namespace ordo
