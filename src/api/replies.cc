// The JSON replies every route shares, and the one Status → HTTP status mapping.
#include "api/routes.h"
#include "db/dsn.h"

namespace ordo::api {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kConflict:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kTimeout:
      return 503;
    default:
      return 500;
  }
}

void ReplyJson(httplib::Response& res, int http_status, const nlohmann::json& doc) {
  res.status = http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(doc.dump() + "\n", "application/json");
}

void ReplyError(httplib::Response& res, const Status& status) {
  if (status.retryable()) res.set_header("Retry-After", "1");
  ReplyJson(res, HttpStatusFor(status),
            ErrorDocument(Status(status.code(), db::RedactUrls(status.message()))));
}

void ReplyError(httplib::Response& res, int http_status, const std::string& code,
                const std::string& message) {
  ReplyJson(res, http_status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string RequestedBy(const httplib::Request& req) { return "api (" + req.remote_addr + ")"; }

}  // namespace ordo::api
