// ApplyRequest: what a user asks for when creating an apply — by `ordo apply`'s
// flags or by the body of `POST /v1/applies`. Both end in the same validation and
// creation path (cli/apply_creation.h).
//
// Thread-safety: plain values and pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(ApplyRequest r, ParseApplyRequest(R"({"database":"shop",…})"));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ordo/status.h"

namespace ordo {

struct ApplyRequest {
  std::string database;
  std::string environment;
  std::vector<std::string> ddl;  // one ALTER TABLE per table
  bool defer_cutover = false;
  bool allow_unsafe = false;
};

// Parses the JSON body of POST /v1/applies:
//   {"database":"shop","environment":"production","ddl":["ALTER TABLE …"],
//    "defer_cutover":false,"allow_unsafe":false}
// database, environment and ddl are required; the flags default to false. Unknown
// fields are refused (a typo must not be silently ignored), and so is "plan" until
// declarative plans exist. InvalidArgument naming the field otherwise.
Result<ApplyRequest> ParseApplyRequest(std::string_view body);

}  // namespace ordo
