// The CLI's log sink: operator Logger lines (and the CLI's own) through spdlog on
// stderr, as text or as JSON lines (`--log-format json`) with apply, deployment and
// owner as fields. Messages are redacted of URL passwords once more on the way out.
//
// Thread-safety: safe from any thread (spdlog's mt sink).
//
//   auto logger = MakeLogger("json", LogLevel::kInfo);
//   logger->Log(LogLevel::kInfo, {"ap_1", "eu-1", ""}, "copy started");
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "operator/logger.h"
#include "ordo/status.h"

namespace ordo::cli {

// InvalidArgument for a format other than text|json.
Result<std::unique_ptr<Logger>> MakeLogger(const std::string& format, LogLevel level);
// "debug", "info", "warn", "error".
std::optional<LogLevel> ParseLogLevel(const std::string& s);

}  // namespace ordo::cli
