#include "db/dsn.h"

#include <cctype>
#include <charconv>

namespace ordo::db {
namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Render(const Dsn& d, bool with_password) {
  if (d.scheme == "sqlite") return "sqlite:" + d.database;
  std::string out = d.scheme + "://";
  if (!d.user.empty()) {
    out += PercentEncode(d.user);
    if (!d.password.empty()) out += ":" + (with_password ? PercentEncode(d.password) : "***");
    out += "@";
  }
  out += d.host;
  if (d.port) out += ":" + std::to_string(d.port);
  out += "/" + d.database;
  char sep = '?';
  for (const auto& [k, v] : d.params) {
    out += sep + k + "=" + v;
    sep = '&';
  }
  return out;
}

}  // namespace

std::string Dsn::Redacted() const { return Render(*this, false); }
std::string Dsn::ToUrl() const { return Render(*this, true); }

Result<Dsn> ParseDsn(std::string_view url) {
  Dsn d;
  if (url.rfind("sqlite:", 0) == 0) {
    d.scheme = "sqlite";
    std::string_view path = url.substr(7);
    if (path.rfind("//", 0) == 0) path.remove_prefix(2);
    if (path.empty()) return InvalidArgument("sqlite URL needs a path, e.g. sqlite:ordo.db");
    d.database = std::string(path);
    return d;
  }
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0)
    return InvalidArgument("expected a URL like mysql://user:pass@host:port/db, got '" +
                           RedactUrls(url) + "'");
  d.scheme = std::string(url.substr(0, scheme_end));
  if (d.scheme == "mariadb") d.scheme = "mysql";
  if (d.scheme == "postgresql") d.scheme = "postgres";
  std::string_view rest = url.substr(scheme_end + 3);
  size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);
  rest = rest.substr(0, q);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) d.database = PercentDecode(rest.substr(slash + 1));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    d.user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) d.password = PercentDecode(userinfo.substr(colon + 1));
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    int value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value <= 0 || value > 65535)
      return InvalidArgument("bad port '" + std::string(port) + "' in " + d.scheme + " URL");
    d.port = value;
    authority = authority.substr(0, colon);
  }
  d.host = std::string(authority);
  if (d.host.empty()) return InvalidArgument("missing host in " + d.scheme + " URL");
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    d.params[std::string(kv.substr(0, eq))] =
        eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return d;
}

std::string RedactUrls(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t s = text.find("://", pos);
    if (s == std::string_view::npos) break;
    size_t auth_start = s + 3;
    size_t end = text.find_first_of("/ \t\n'\"", auth_start);
    std::string_view authority = text.substr(
        auth_start, end == std::string_view::npos ? std::string_view::npos : end - auth_start);
    size_t at = authority.rfind('@');
    size_t colon = authority.find(':');
    out.append(text.substr(pos, auth_start - pos));
    if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
      out.append(authority.substr(0, colon + 1));
      out.append("***");
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    pos = auth_start + authority.size();
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace ordo::db
