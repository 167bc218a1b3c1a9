#include "operator/driver.h"

#include <memory>

#include "db/dsn.h"
#include "operator/operation_run.h"

namespace ordo {

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
  ctx_.logger.Log(LogLevel::kWarn, {"", "", owner_}, std::string(step) + ": " + RedactUrls(s.ToString()));
}

bool Driver::Tick() {
  Result<int> expired = ctx_.store.ExpireRetries();
  if (!expired.ok()) {
    LogStoreError("expire retries", expired.status());
    return false;
  }
  if (*expired > 0) {
    ctx_.logger.Log(LogLevel::kInfo, {"", "", owner_},
                    "expired " + std::to_string(*expired) + " apply(s) past their retry budget");
    ctx_.bus->Notify();
  }
  // An apply whose driver went away between a transition and its swap is moved here,
  // once no lease on its rows is live.
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
  if (ctx_.shutdown) return false;

  auto stop = ctx_.store.ClaimNextStop(owner_);
  if (!stop.ok()) {
    LogStoreError("stop reconciliation", stop.status());
    return false;
  }
  if (*stop) {
    ctx_.logger.Log(LogLevel::kInfo, {"", "", owner_},
                    "stop reconciled for apply " + std::to_string((*stop)->apply_id) + ": " +
                        std::to_string((*stop)->stopped_operation_ids.size()) + " operation(s) stopped");
    ctx_.bus->Notify();
    return true;
  }
  if (ctx_.shutdown) return false;

  // Rows of settled or cancelled applies that no other gate hands out again: the run
  // cancels them (dropping shadow tables of rows that ever copied).
  Micros started = ctx_.Now();
  auto cleanup = ctx_.store.ClaimNextCleanup(owner_);
  if (!cleanup.ok()) {
    LogStoreError("cleanup claim", cleanup.status());
    return false;
  }
  if (*cleanup) {
    auto run = std::make_shared<OperationRun>(ctx_, std::move(**cleanup),
                                              OperationRun::Source::kCleanupClaim, started);
    run->Drive();
    return true;
  }
  if (ctx_.shutdown) return false;

  started = ctx_.Now();
  auto cutover = ctx_.store.ClaimNextCutover(owner_);
  if (!cutover.ok()) {
    LogStoreError("cutover claim", cutover.status());
    return false;
  }
  if (*cutover) {
    auto run = std::make_shared<OperationRun>(ctx_, std::move(**cutover),
                                              OperationRun::Source::kCutoverClaim, started);
    run->Drive();
    return true;
  }
  if (ctx_.shutdown) return false;

  started = ctx_.Now();
  auto copy = ctx_.store.ClaimNextCopy(owner_);
  if (!copy.ok()) {
    LogStoreError("copy claim", copy.status());
    return false;
  }
  if (*copy) {
    auto run = std::make_shared<OperationRun>(ctx_, std::move(**copy),
                                              OperationRun::Source::kCopyClaim, started);
    run->Drive();
    return true;
  }
  return false;
}

}  // namespace ordo
