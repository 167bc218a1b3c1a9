#include "core/check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ordo::check_internal {

CheckFailure::CheckFailure(const char* file, int line, const char* kind, const char* condition) {
  message_ << file << ":" << line << ": " << kind << " failed: " << condition;
  header_chars_ = static_cast<size_t>(message_.tellp());
}

CheckFailure::~CheckFailure() {
  std::string text = message_.str();
  // Whatever was streamed in follows the condition after a colon.
  if (text.size() > header_chars_) text.insert(header_chars_, ": ");
  text += "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ordo::check_internal
