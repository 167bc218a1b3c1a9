// ListenAddress: where `ordo serve` listens (`--listen ADDR` or config `api.listen`).
//
// Accepted forms: "HOST:PORT", "[IPV6]:PORT", ":PORT" (every interface). Port 0 asks
// the system for a free port. Loopback means the address can only be reached from
// this host: 127.0.0.0/8, ::1 or "localhost"; it decides whether the API may run
// without a token.
//
// Thread-safety: plain values and pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(ListenAddress a, ParseListenAddress("127.0.0.1:8080"));
//   a.loopback;  // true
#pragma once

#include <string>
#include <string_view>

#include "ordo/status.h"

namespace ordo {

struct ListenAddress {
  std::string host;  // without brackets; "0.0.0.0" for ":PORT"
  int port = 0;
  bool loopback = false;

  // "127.0.0.1:8080", "[::1]:8080".
  std::string ToString() const;
};

// InvalidArgument naming `what` (e.g. "--listen") for a malformed address or port.
Result<ListenAddress> ParseListenAddress(std::string_view text, std::string_view what = "--listen");

}  // namespace ordo
