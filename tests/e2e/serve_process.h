// A real `ordo serve` process for tests: started on a free loopback port (it is
// told to listen on 127.0.0.1:0 and prints the port it got), with a small HTTP
// client that returns status, headers and the parsed JSON body.
//
// Thread-safety: one test thread.
//
//   auto serve = ServeProcess::Start(dir.path(), {"--drivers", "0"});
//   HttpReply r = serve->Get("/v1/applies", "token");
//   EXPECT_EQ(r.status, 200);
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ordo/status.h"
#include "ordo_process.h"

namespace ordo::testing {

struct HttpReply {
  int status = -1;  // -1: no answer (connection refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json;                         // discarded when the body is not JSON
};

class ServeProcess {
 public:
  // Runs `ordo <global_args…> serve --listen 127.0.0.1:0 <serve_args…>` in `dir` and
  // waits (polling, 30 s) for its "listening on" line. FailedPrecondition with its
  // stderr when it exits or never listens.
  static Result<std::unique_ptr<ServeProcess>> Start(
      const std::string& dir, const std::vector<std::string>& serve_args,
      const std::vector<std::string>& global_args = {});

  int port() const { return port_; }
  OrdoProcess& process() { return *process_; }

  // An empty token sends no Authorization header.
  HttpReply Get(const std::string& path, const std::string& token) const;
  HttpReply Post(const std::string& path, const std::string& token,
                 const std::string& body = "") const;
  // A POST with no body and no Content-Length header (`curl -X POST URL`), written on
  // a plain socket: HTTP clients libraries always send the header.
  HttpReply PostWithoutLength(const std::string& path, const std::string& token) const;

 private:
  std::unique_ptr<OrdoProcess> process_;
  int port_ = 0;
};

}  // namespace ordo::testing
