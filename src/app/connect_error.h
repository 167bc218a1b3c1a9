// The one way a failed connection is reported to a user, for the store and for the
// deployments alike: whether retrying can help decides the exit code and HTTP status.
//
// Thread-safety: a pure function.
//
//   if (!conn.ok()) return ConnectError("deployment eu-1 (mysql://ordo@db1/shop)", conn.status());
#pragma once

#include <string>

#include "ordo/status.h"

namespace ordo::app {

// The error for `what` (a store, a deployment) that could not be connected to: a login
// the server refused (access denied) is InvalidArgument, "… refused the login" (exit 2:
// the credentials are wrong, retrying cannot help); anything else is Unavailable,
// "… is unreachable" (exit 3). Passwords are redacted.
Status ConnectError(const std::string& what, const Status& cause);

}  // namespace ordo::app
