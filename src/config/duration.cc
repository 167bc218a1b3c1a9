#include "config/duration.h"

#include <cctype>

namespace ordo {

Result<Micros> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("expected a duration like 500ms, 1s, 10m, 1h or 0, got '" +
                           std::string(text) + "'");
  };
  if (text == "0") return Micros{0};
  if (text.empty()) return bad();
  Micros total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) return bad();
      ++i;
    }
    size_t u = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(u, i - u);
    Micros scale;
    if (unit == "us")
      scale = 1;
    else if (unit == "ms")
      scale = 1'000;
    else if (unit == "s")
      scale = 1'000'000;
    else if (unit == "m")
      scale = 60'000'000;
    else if (unit == "h")
      scale = 3'600'000'000;
    else if (unit == "d")
      scale = 86'400'000'000;
    else
      return bad();
    total += n * scale;
  }
  return total;
}

std::string FormatDuration(Micros micros) {
  if (micros == 0) return "0s";
  if (micros % 1'000'000 != 0) {
    if (micros % 1'000 == 0) return std::to_string(micros / 1'000) + "ms";
    return std::to_string(micros) + "us";
  }
  int64_t s = micros / 1'000'000;
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h";
  if (s % 3600 >= 60) out += std::to_string(s % 3600 / 60) + "m";
  if (s % 60) out += std::to_string(s % 60) + "s";
  return out;
}

}  // namespace ordo
