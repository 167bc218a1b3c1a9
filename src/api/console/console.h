// The web console of `ordo serve` (docs/guide.md, "Console"): a small single-page app —
// index.html, console.css, console.js in this folder — compiled into the binary at build
// time (embed.cmake turns the files into a generated source), served at `/` with no
// token. The page itself holds no data: everything it shows it reads from the public
// HTTP API with the bearer token the user gives it. Its URLs are relative, so it also
// works behind a proxy that serves ordo under a prefix (e.g. /ordo/).
//
// Thread-safety: the assets are constants; AddConsoleRoutes runs before serving.
//
//   AddConsoleRoutes(server);                     // GET /, /console.css, /console.js
//   if (IsConsolePath(req.path)) /* no token needed */;
#pragma once

#include <httplib.h>

#include <span>
#include <string_view>

namespace ordo::api {

// One compiled-in file: its URL path, its Content-Type and its bytes.
struct ConsoleAsset {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

// The console's files (defined in the generated console_assets.cc).
std::span<const ConsoleAsset> ConsoleAssets();

// True for the paths the console's files are served at; they need no token.
bool IsConsolePath(std::string_view path);

// GET for each asset, with headers that keep the page to its own origin (a Content
// Security Policy without inline scripts or other hosts) and revalidated on every load
// (an upgraded server serves its own console at once).
void AddConsoleRoutes(httplib::Server& server);

}  // namespace ordo::api
