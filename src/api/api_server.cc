#include "api/api_server.h"

#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <thread>

#include "api/bearer_auth.h"
#include "api/console/console.h"
#include "api/routes.h"
#include "api/stream_routes.h"

namespace ordo {

struct ApiServer::Impl {
  Impl(Store& store, MetricsRegistry& metrics, Logger& logger, ApiHooks hooks_in,
       ApiOptions options_in)
      : hooks(std::move(hooks_in)),
        options(std::move(options_in)),
        ctx{store, metrics, logger, hooks, options} {}

  ApiHooks hooks;
  ApiOptions options;
  api::RouteContext ctx;
  httplib::Server server;
};

namespace {

constexpr const char* kRequestsHelp =
    "HTTP requests answered by the API, by method and status code.";

// What an error reply without a body (httplib's own: no route, body too large, bad
// request line) says.
std::pair<std::string, std::string> DefaultError(const httplib::Request& req, int status) {
  switch (status) {
    case 404:
      return {"not_found", "no route " + req.method + " " + req.path};
    case 413:
      return {"invalid_argument", "request body too large"};
    case 400:
      return {"invalid_argument", "malformed request"};
    default:
      return {"http_" + std::to_string(status),
              "request failed with HTTP " + std::to_string(status)};
  }
}

}  // namespace

ApiServer::ApiServer(Store& store, MetricsRegistry& metrics, Logger& logger, ApiHooks hooks,
                     ApiOptions options)
    : impl_(std::make_unique<Impl>(store, metrics, logger, std::move(hooks), std::move(options))) {
  httplib::Server& s = impl_->server;
  Impl* impl = impl_.get();
  s.set_payload_max_length(impl->options.max_body_bytes);
  // Each open event stream holds a thread: room for all of them and the other requests.
  s.new_task_queue = [] { return new httplib::ThreadPool(api::kMaxStreams + 8); };
  // A second server on a port that is in use must fail, not share the port: turn
  // SO_REUSEPORT off whatever the library's defaults (SO_REUSEADDR stays, so a
  // restart does not wait for TIME_WAIT).
  s.set_socket_options([](socket_t sock) {
    int yes = 1, no = 0;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
#ifdef SO_REUSEPORT
    setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &no, sizeof no);
#endif
    (void)no;
  });

  s.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
    // A POST with no body and no Content-Length (`curl -X POST URL`) is the normal
    // control request: its body is empty. The library reads a body of unknown length
    // until the client closes, and answers 400 when it does not; saying the length is 0
    // lets it read nothing. (The request is the library's own non-const object; the
    // handler runs before the body is read.)
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding") &&
        (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
         req.method == "DELETE"))
      const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
    // The console's files hold no data: the page asks for the token itself.
    if (req.path == "/healthz" || api::IsConsolePath(req.path) || impl->options.token.empty())
      return httplib::Server::HandlerResponse::Unhandled;
    if (Authorized(req.get_header_value("Authorization"), impl->options.token))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    bool presented = req.has_header("Authorization");
    api::ReplyError(res, 401, "unauthenticated",
                    presented ? "the bearer token is not valid"
                              : "missing Authorization: Bearer <token> (set ORDO_API_TOKEN or "
                                "api.token on the server)");
    return httplib::Server::HandlerResponse::Handled;
  });

  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request& req,
                                                     httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    auto [code, message] = DefaultError(req, res.status);
    api::ReplyError(res, res.status, code, message);
    return httplib::Server::HandlerResponse::Handled;
  };
  s.set_error_handler(std::move(on_error));

  s.set_exception_handler([impl](const httplib::Request& req, httplib::Response& res,
                                 std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    impl->ctx.logger.Log(LogLevel::kError, {}, "HTTP " + req.method + " " + req.path + ": " + what);
    api::ReplyError(res, Internal(what));
  });

  s.set_logger([impl](const httplib::Request& req, const httplib::Response& res) {
    impl->ctx.metrics
        .GetCounter("ordo_http_requests_total", kRequestsHelp,
                    {{"method", req.method}, {"code", std::to_string(res.status)}})
        .Increment();
    impl->ctx.logger.Log(LogLevel::kDebug, {},
                         "HTTP " + req.method + " " + req.path + " " + std::to_string(res.status));
  });

  api::AddSystemRoutes(s, impl->ctx);
  api::AddApplyRoutes(s, impl->ctx);
  api::AddControlRoutes(s, impl->ctx);
  api::AddStreamRoutes(s, impl->ctx);
  api::AddConsoleRoutes(s);
  api::AddTimelineRoutes(s, impl->ctx);
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Bind(const ListenAddress& address) {
  httplib::Server& s = impl_->server;
  int port = address.port == 0 ? s.bind_to_any_port(address.host)
                               : (s.bind_to_port(address.host, address.port) ? address.port : -1);
  if (port < 0)
    return Unavailable("cannot listen on " + address.ToString() +
                       " (in use, or not an address of this host)");
  port_ = port;
  return Status::Ok();
}

Status ApiServer::Run() {
  running_ = true;
  if (stopping_) {
    running_ = false;
    return Status::Ok();
  }
  bool clean = impl_->server.listen_after_bind();
  running_ = false;
  if (!clean && !stopping_) return Internal("the HTTP server stopped unexpectedly");
  return Status::Ok();
}

void ApiServer::Stop() {
  stopping_ = true;
  // Run() either saw stopping_ and returned, or is about to listen: wait until it
  // listens (or gave up), so the stop is not lost in between.
  while (running_ && !impl_->server.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->server.stop();
}

}  // namespace ordo
