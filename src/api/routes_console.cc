// GET /, /console.css, /console.js: the web console's files (api/console/console.h).
#include <string>

#include "api/console/console.h"

namespace ordo::api {
namespace {

// The page loads only its own files and talks only to its own origin; nothing of it
// runs inline, and no other site may frame it.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The route pattern of a literal path (the server's patterns are regular expressions).
std::string Pattern(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '.') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

bool IsConsolePath(std::string_view path) {
  for (const ConsoleAsset& asset : ConsoleAssets())
    if (asset.path == path) return true;
  return false;
}

void AddConsoleRoutes(httplib::Server& server) {
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    server.Get(Pattern(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy", kContentSecurityPolicy);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type));
    });
  }
}

}  // namespace ordo::api
