// Bearer-token authentication of the HTTP API: `Authorization: Bearer <token>`.
//
// The presented token is compared with the expected one in time that depends only on
// the expected token's length, so response times reveal nothing about how much of a
// guess was right.
//
// Thread-safety: pure functions.
//
//   if (!Authorized(req.get_header_value("Authorization"), token)) → 401
#pragma once

#include <string_view>

namespace ordo {

// Equal contents, compared without an early exit.
bool ConstantTimeEquals(std::string_view presented, std::string_view expected);

// True when `authorization_header` is "Bearer <token>" (scheme case-insensitive)
// and <token> equals `expected`. An empty `expected` never authorizes.
bool Authorized(std::string_view authorization_header, std::string_view expected);

}  // namespace ordo
