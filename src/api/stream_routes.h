// GET /v1/applies/{id}/stream: an apply's page document (api/stream_document.h) as
// server-sent events (text/event-stream), for the console's live apply page and for
// `curl -N`:
//
//   event: page             the document, at once and then each time it changes
//   id: 1
//   data: {"apply":{…},"controls":{…},"timeline":{…}}
//
//   event: error            the store could not be read; the stream goes on
//   data: {"error":{"code":"unavailable","message":"…"}}
//
//   : heartbeat             a comment after 15 s without an event
//
// The server reads the store every 500 ms per open stream and sends only what changed.
// Authorization as on every route: the `Authorization: Bearer` header (the console
// reads the stream with fetch(), which sends it; the token never goes in a URL). At most
// kMaxStreams streams are open at once (each holds one of the server's threads); one
// more is answered 503 with Retry-After. 404 for an unknown apply, before any event.
//
// Thread-safety: each stream runs on its own server thread and reads the store only.
//
//   AddStreamRoutes(server, ctx);
#pragma once

#include <httplib.h>

#include "api/routes.h"

namespace ordo::api {

inline constexpr int kMaxStreams = 16;

void AddStreamRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace ordo::api
