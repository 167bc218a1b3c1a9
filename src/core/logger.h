// Logger: where the operator's log lines go. The CLI routes them to spdlog (text or
// JSON lines); tests and the simulator use NullLogger or capture them. Every line
// says which apply and deployment it concerns, so a JSON sink can emit them as fields.
//
// Thread-safety: implementations must be safe to call from any task.
//
//   logger.Log(LogLevel::kInfo, {"ap_x", "eu-1", "host/1/driver-2"}, "copy started");
#pragma once

#include <string>
#include <string_view>

namespace ordo {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogFields {
  std::string apply;       // "ap_…", empty when not about one apply
  std::string deployment;  // empty when not about one operation
  std::string owner;       // the driver, empty for process-level lines
};

class Logger {
 public:
  virtual ~Logger() = default;
  // `message` never contains a password: DSNs are printed only redacted.
  virtual void Log(LogLevel level, const LogFields& fields, std::string_view message) = 0;
};

// Discards everything.
Logger& NullLogger();

}  // namespace ordo
