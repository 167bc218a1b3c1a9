#include "api/stream_routes.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "api/stream_document.h"
#include "ordo/clock.h"

namespace ordo::api {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr Micros kHeartbeatMicros = 15'000'000;

// One open stream: what it last sent, and when.
struct Stream {
  std::string id;
  Micros revert_window = 0;
  std::string pending;  // the first event, prepared before the stream began
  std::string last_key;
  std::string last_error;
  int64_t events = 0;
  Micros last_write = 0;
};

std::string Event(Stream& s, const char* name, const nlohmann::json& data) {
  return std::string("event: ") + name + "\nid: " + std::to_string(++s.events) +
         "\ndata: " + data.dump() + "\n\n";
}

Micros Now() { return SystemClock::Default()->NowMicros(); }

// The next event of `s`: the page when it changed, an error when a new one came up, a
// heartbeat when nothing was sent for a while; "" for nothing.
std::string Next(RouteContext& ctx, Stream& s, bool& end) {
  Micros now = Now();
  auto page = LoadPageDocument(ctx.store, s.id, now, s.revert_window);
  if (!page.ok()) {
    // An apply that is gone will not come back; anything else may pass.
    end = page.status().Is(StatusCode::kNotFound);
    std::string text = page.status().ToString();
    if (text == s.last_error && !end)
      return now - s.last_write >= kHeartbeatMicros ? ": heartbeat\n\n" : "";
    s.last_error = text;
    return Event(s, "error", ErrorDocument(page.status()));
  }
  s.last_error.clear();
  std::string key = PageKey(*page);
  if (key != s.last_key) {
    s.last_key = std::move(key);
    return Event(s, "page", *page);
  }
  return now - s.last_write >= kHeartbeatMicros ? ": heartbeat\n\n" : "";
}

}  // namespace

void AddStreamRoutes(httplib::Server& server, RouteContext& ctx) {
  auto open = std::make_shared<std::atomic<int>>(0);
  server.Get(R"(/v1/applies/([^/]+)/stream)",
             [&ctx, open](const httplib::Request& req, httplib::Response& res) {
               auto stream = std::make_shared<Stream>();
               stream->id = req.matches[1].str();
               auto apply = ctx.store.FindApply(stream->id);
               if (!apply.ok()) return ReplyError(res, apply.status());
               if (ctx.hooks.revert_window) stream->revert_window = ctx.hooks.revert_window(*apply);
               bool end = false;
               stream->pending = "retry: 2000\n" + Next(ctx, *stream, end);
               if (end) return ReplyError(res, NotFound("apply " + stream->id + " not found"));
               if (open->fetch_add(1) >= kMaxStreams) {
                 open->fetch_sub(1);
                 res.set_header("Retry-After", "5");
                 return ReplyError(res, 503, "unavailable",
                                   "too many open streams (" + std::to_string(kMaxStreams) +
                                       "); close a console tab or try again later");
               }
               res.set_header("Cache-Control", "no-store");
               res.set_header("X-Accel-Buffering", "no");  // a proxy in front passes each event on
               res.set_chunked_content_provider(
                   "text/event-stream",
                   [&ctx, stream](size_t, httplib::DataSink& sink) {
                     std::string out = std::move(stream->pending);
                     stream->pending.clear();
                     bool end = false;
                     if (out.empty()) {
                       std::this_thread::sleep_for(kPollInterval);
                       out = Next(ctx, *stream, end);
                     }
                     if (!out.empty()) {
                       if (!sink.write(out.data(), out.size())) return false;
                       stream->last_write = Now();
                     }
                     if (end) sink.done();
                     return true;
                   },
                   [open](bool) { open->fetch_sub(1); });
             });
}

}  // namespace ordo::api
