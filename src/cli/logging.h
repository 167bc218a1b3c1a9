// The CLI's log sink: operator Logger lines (and the CLI's own) through spdlog on
// stderr, as text or as JSON lines (`--log-format json`) with apply, deployment and
// owner as fields. Messages are redacted of URL passwords once more on the way out.
//
// Thread-safety: safe from any thread (the sink's mutex).
//
//   auto logger = MakeLogger("json", LogLevel::kInfo);
//   logger->Log(LogLevel::kInfo, {"ap_1", "eu-1", ""}, "copy started");
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/logger.h"
#include "ordo/status.h"

namespace ordo::cli {

// The CLI's logger. While the live view draws on the terminal the log lines must not
// land inside it: Hold(true) queues them instead of writing them, TakeHeld() hands
// the queue to the view (which prints them above itself), Hold(false) writes what is
// still queued and writes directly again.
class CliLogger : public Logger {
 public:
  virtual void Hold(bool hold) = 0;
  virtual std::vector<std::string> TakeHeld() = 0;
};

// InvalidArgument for a format other than text|json.
Result<std::unique_ptr<CliLogger>> MakeLogger(const std::string& format, LogLevel level);
// "debug", "info", "warn", "error".
std::optional<LogLevel> ParseLogLevel(const std::string& s);

}  // namespace ordo::cli
