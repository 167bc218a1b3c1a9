#include "operator/driver.h"

#include <memory>

#include "db/dsn.h"
#include "operator/operation_run.h"

namespace ordo::worker {

Driver::Driver(WorkerContext& ctx, int index)
    : ctx_(ctx), owner_(ctx.options.owner_prefix + "/driver-" + std::to_string(index)) {}

void Driver::Run() {
  while (!ctx_.shutdown) {
    uint64_t seen = ctx_.bus->Generation();
    if (Tick()) continue;
    if (ctx_.shutdown) break;
    ctx_.bus->WaitFor(seen, ctx_.options.poll_interval_micros);
  }
}

void Driver::LogStoreError(const char* step, const Status& s) {
  // One line per poll interval at most: a store outage should not flood the log.
  Micros now = ctx_.Now();
  if (now - last_error_log_ < ctx_.options.poll_interval_micros) return;
  last_error_log_ = now;
  ctx_.logger.Log(LogLevel::kWarn, {"", "", owner_},
                  std::string(step) + ": " + db::RedactUrls(s.ToString()));
}

bool Driver::Tick() {
  for (TickStep step : kTickOrder) {
    // Housekeeping runs while shutting down too; no claim does.
    if (ctx_.shutdown && step != TickStep::kExpireRetries && step != TickStep::kRederive)
      return false;
    if (std::optional<bool> done = Step(step)) return *done;
  }
  return false;
}

std::optional<bool> Driver::ClaimAndDrive(
    const char* what, ClaimSource source,
    const std::function<Result<std::optional<ClaimedOperation>>()>& claim) {
  Micros started = ctx_.Now();
  auto claimed = claim();
  if (!claimed.ok()) {
    LogStoreError(what, claimed.status());
    return false;
  }
  if (!*claimed) return std::nullopt;
  auto run = std::make_shared<OperationRun>(ctx_, std::move(**claimed), source, started);
  run->Drive();
  return true;
}

std::optional<bool> Driver::Step(TickStep step) {
  switch (step) {
    case TickStep::kExpireRetries: {
      Result<int> expired = ctx_.store.ExpireRetries();
      if (!expired.ok()) {
        LogStoreError("expire retries", expired.status());
        return false;
      }
      if (*expired > 0) {
        ctx_.logger.Log(
            LogLevel::kInfo, {"", "", owner_},
            "expired " + std::to_string(*expired) + " apply(s) past their retry budget");
        ctx_.bus->Notify();
      }
      return std::nullopt;
    }
    case TickStep::kRederive: {
      // An apply whose driver went away between a transition and its swap is moved
      // here, once no lease on its rows is live.
      Result<int> rederived = ctx_.store.RederiveUnheldApplies();
      if (!rederived.ok()) {
        LogStoreError("re-derive applies", rederived.status());
        return false;
      }
      if (*rederived > 0) {
        ctx_.logger.Log(LogLevel::kInfo, {"", "", owner_},
                        "re-derived " + std::to_string(*rederived) + " apply(s) nobody held");
        ctx_.bus->Notify();
      }
      return std::nullopt;
    }
    case TickStep::kStopReconciliation: {
      auto stop = ctx_.store.ClaimNextStop(owner_);
      if (!stop.ok()) {
        LogStoreError("stop reconciliation", stop.status());
        return false;
      }
      if (!*stop) return std::nullopt;
      ctx_.logger.Log(LogLevel::kInfo, {"", "", owner_},
                      "stop reconciled for apply " + std::to_string((*stop)->apply_id) + ": " +
                          std::to_string((*stop)->stopped_operation_ids.size()) +
                          " operation(s) stopped");
      ctx_.bus->Notify();
      return true;
    }
    case TickStep::kCleanupClaim:
      // Rows of settled or cancelled applies that no other gate hands out again: the
      // run cancels them (dropping shadow tables of rows that ever copied).
      return ClaimAndDrive("cleanup claim", ClaimSource::kCleanup,
                           [&] { return ctx_.store.ClaimNextCleanup(owner_); });
    case TickStep::kCutoverClaim:
      return ClaimAndDrive("cutover claim", ClaimSource::kCutover,
                           [&] { return ctx_.store.ClaimNextCutover(owner_); });
    case TickStep::kCopyClaim:
      return ClaimAndDrive("copy claim", ClaimSource::kCopy,
                           [&] { return ctx_.store.ClaimNextCopy(owner_); });
  }
  return false;
}

}  // namespace ordo::worker
