#include "engine/mysql/trailing_verifier.h"

#include <chrono>

#include "engine/mysql/checksum.h"

namespace ordo::engine {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

}  // namespace

TrailingVerifier::TrailingVerifier(const TablePlan& plan, const TableCopier& copier,
                                   db::MysqlPool* pool, SyncLoop* loop, const Applier& applier,
                                   std::function<bool()> should_stop, std::function<bool()> wait,
                                   int64_t round_rows)
    : plan_(plan),
      copier_(copier),
      pool_(pool),
      loop_(loop),
      applier_(applier),
      should_stop_(std::move(should_stop)),
      wait_(std::move(wait)),
      round_rows_(round_rows) {}

TrailingVerifier::~TrailingVerifier() { (void)Finish(); }

void TrailingVerifier::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

std::optional<VerifiedPrefix> TrailingVerifier::Finish() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
  return verified_;
}

void TrailingVerifier::Run() {
  // Read just before the first round (the stream has passed the shadow's creation).
  std::optional<int64_t> statements;
  std::optional<size_t> through;  // index in the bounds' uppers
  // A round under way when Finish() is called completes; a statement or a stop ends it.
  auto pointless = [&] {
    return (statements && applier_.statements_consumed() != *statements) ||
           (should_stop_ && should_stop_());
  };
  auto waiting = [&] { return wait_ && wait_(); };
  while (!done_ && !pointless()) {
    if (waiting()) {
      std::this_thread::sleep_for(kPoll);
      continue;
    }
    ChunkBounds bounds = copier_.bounds();
    if (bounds.from) return;  // a resumed copy: its start was copied by an earlier run
    // None while nothing is copied, or once the watermark is the end key (the copy is
    // finishing).
    std::optional<Key> watermark = copier_.state().watermark;
    std::optional<size_t> at = watermark ? bounds.IndexOf(*watermark) : std::nullopt;
    int64_t rows = 0;
    if (at)
      for (size_t i = through ? *through + 1 : 0; i <= *at; ++i) rows += bounds.uppers[i].second;
    if (!at || rows < round_rows_) {
      std::this_thread::sleep_for(kPoll);
      continue;
    }
    if (!statements) statements = applier_.statements_consumed();
    VerifyOptions options;
    options.bounds = {&bounds};
    options.stop_at = {bounds.uppers[*at].first};
    options.verified_through = [&](size_t) -> std::optional<Key> {
      if (!through) return std::nullopt;
      return bounds.uppers[*through].first;
    };
    options.should_stop = [&] { return pointless() || waiting(); };
    auto verified = VerifyTables({&plan_}, pool_, loop_, options);
    if (!verified.ok()) {
      // Stopped because the application writes: the next round starts over from the
      // same place once it stops.
      if (verified.status().code() == StatusCode::kCancelled && !pointless()) continue;
      return;  // the verification before the cutover does the rest
    }
    through = at;
    verified_ = VerifiedPrefix{bounds.uppers[*at].first, *statements};
  }
}

}  // namespace ordo::engine
