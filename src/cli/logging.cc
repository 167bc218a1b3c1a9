#include "cli/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/documents.h"
#include "db/dsn.h"
#include "ordo/clock.h"

namespace ordo::cli {
namespace {

spdlog::level::level_enum ToSpd(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// stderr, or while held, a queue the live view empties.
class TerminalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void Hold(bool hold) {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ = hold;
    if (hold) return;
    for (const std::string& line : queue_) std::fwrite(line.data(), 1, line.size(), stderr);
    queue_.clear();
    std::fflush(stderr);
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    out.swap(queue_);
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    if (held_) {
      std::string line(buf.data(), buf.size());
      while (!line.empty() && line.back() == '\n') line.pop_back();
      queue_.push_back(std::move(line));
      return;
    }
    std::fwrite(buf.data(), 1, buf.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool held_ = false;
  std::vector<std::string> queue_;
};

class SpdLogger final : public CliLogger {
 public:
  SpdLogger(bool json, LogLevel level) : json_(json), sink_(std::make_shared<TerminalSink>()) {
    logger_ = std::make_shared<spdlog::logger>("ordo", sink_);
    // JSON lines carry their own timestamp and level; text lines get spdlog's.
    logger_->set_pattern(json ? "%v" : "%Y-%m-%dT%H:%M:%S.%fZ %l %v",
                         spdlog::pattern_time_type::utc);
    logger_->set_level(ToSpd(level));
    logger_->flush_on(spdlog::level::trace);
  }

  void Log(LogLevel level, const LogFields& f, std::string_view message) override {
    if (!logger_->should_log(ToSpd(level))) return;
    std::string text = db::RedactUrls(message);
    if (json_) {
      nlohmann::json line = {{"ts", FormatRfc3339(SystemClock::Default()->NowMicros())},
                             {"level", Name(level)},
                             {"msg", text}};
      if (!f.apply.empty()) line["apply"] = f.apply;
      if (!f.deployment.empty()) line["deployment"] = f.deployment;
      if (!f.owner.empty()) line["owner"] = f.owner;
      logger_->log(ToSpd(level), "{}", line.dump());
      return;
    }
    std::string where;
    if (!f.apply.empty()) where += f.apply;
    if (!f.deployment.empty()) where += (where.empty() ? "" : "/") + f.deployment;
    if (!f.owner.empty()) where += (where.empty() ? "" : " ") + f.owner;
    logger_->log(ToSpd(level), "{}{}{}", where.empty() ? "" : "[" + where + "] ", "", text);
  }

  void Hold(bool hold) override { sink_->Hold(hold); }
  std::vector<std::string> TakeHeld() override { return sink_->Take(); }

 private:
  bool json_;
  std::shared_ptr<TerminalSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

std::optional<LogLevel> ParseLogLevel(const std::string& s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn" || s == "warning") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return std::nullopt;
}

Result<std::unique_ptr<CliLogger>> MakeLogger(const std::string& format, LogLevel level) {
  if (format != "text" && format != "json")
    return InvalidArgument("--log-format: expected text or json; got \"" + format + "\"");
  return std::unique_ptr<CliLogger>(new SpdLogger(format == "json", level));
}

}  // namespace ordo::cli
