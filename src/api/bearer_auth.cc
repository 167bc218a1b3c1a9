#include "api/bearer_auth.h"

#include <cctype>

namespace ordo {

bool ConstantTimeEquals(std::string_view presented, std::string_view expected) {
  // Walk the expected token whatever was presented: the length difference and every
  // byte difference are folded into one accumulator, checked once at the end.
  unsigned diff = presented.size() == expected.size() ? 0u : 1u;
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= p ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

bool Authorized(std::string_view header, std::string_view expected) {
  if (expected.empty()) return false;
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return ConstantTimeEquals(token, expected);
}

}  // namespace ordo
