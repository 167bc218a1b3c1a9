#include "serve_process.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <regex>

#include "test_servers.h"

namespace ordo::testing {
namespace {

httplib::Headers AuthHeaders(const std::string& token) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return h;
}

HttpReply ToReply(const httplib::Result& r) {
  HttpReply reply;
  if (!r) return reply;
  reply.status = r->status;
  reply.body = r->body;
  for (const auto& [k, v] : r->headers) {
    std::string key = k;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[key] = v;
  }
  reply.json = nlohmann::json::parse(r->body, nullptr, false);
  return reply;
}

httplib::Client MakeClient(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(60);
  return c;
}

}  // namespace

Result<std::unique_ptr<ServeProcess>> ServeProcess::Start(
    const std::string& dir, const std::vector<std::string>& serve_args,
    const std::vector<std::string>& global_args) {
  std::vector<std::string> args = global_args;
  args.insert(args.end(), {"serve", "--listen", "127.0.0.1:0"});
  args.insert(args.end(), serve_args.begin(), serve_args.end());
  auto serve = std::unique_ptr<ServeProcess>(new ServeProcess());
  serve->process_ = std::make_unique<OrdoProcess>(args, dir);
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  std::smatch m;
  bool up = PollUntil(
      [&] {
        std::string out = serve->process_->out();
        if (std::regex_search(out, m, kListening)) {
          serve->port_ = std::stoi(m[1].str());
          return true;
        }
        return serve->process_->Wait(std::chrono::milliseconds(0)) >= 0;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(20));
  if (!up || serve->port_ == 0) {
    return FailedPrecondition("ordo serve did not start (exit " +
                              std::to_string(serve->process_->Wait(std::chrono::milliseconds(0))) +
                              "): " + serve->process_->err());
  }
  return serve;
}

HttpReply ServeProcess::Get(const std::string& path, const std::string& token) const {
  httplib::Client c = MakeClient(port_);
  return ToReply(c.Get(path, AuthHeaders(token)));
}

HttpReply ServeProcess::Post(const std::string& path, const std::string& token,
                             const std::string& body) const {
  httplib::Client c = MakeClient(port_);
  return ToReply(c.Post(path, AuthHeaders(token), body, "application/json"));
}

HttpReply ServeProcess::PostWithoutLength(const std::string& path, const std::string& token) const {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval timeout{10, 0};  // the bug this exists for made the server wait 5 s and answer 400
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";  // the client keeps the connection open, as curl does
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      // The reply has a Content-Length; read until it is all here.
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
        raw.append(buf, static_cast<size_t>(n));
        size_t head = raw.find("\r\n\r\n");
        static const std::regex kLength(R"([Cc]ontent-[Ll]ength: *(\d+))");
        std::smatch m;
        if (head != std::string::npos && std::regex_search(raw, m, kLength) &&
            raw.size() >= head + 4 + std::stoul(m[1].str()))
          break;
      }
    }
  }
  close(fd);
  static const std::regex kStatus(R"(^HTTP/1\.[01] (\d{3}))");
  std::smatch m;
  if (!std::regex_search(raw, m, kStatus)) return reply;
  reply.status = std::stoi(m[1].str());
  size_t head = raw.find("\r\n\r\n");
  reply.body = head == std::string::npos ? "" : raw.substr(head + 4);
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  return reply;
}

}  // namespace ordo::testing
