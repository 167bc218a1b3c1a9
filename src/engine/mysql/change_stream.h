// ChangeStream: the engine's view of the binlog: events in commit order from a given
// position. The production implementation wraps the binlog reader (binlog/reader.h);
// tests substitute scripted streams.
//
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "binlog/event.h"
#include "ordo/status.h"

namespace ordo::engine {

class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  // The next event, or nullopt when none arrived within `timeout`. Unavailable when
  // the connection broke (the caller reopens from its last safe position).
  virtual Result<std::optional<BinlogEvent>> Next(std::chrono::milliseconds timeout) = 0;
};

// Opens a stream that starts at `from` (a transaction boundary). FailedPrecondition
// when that position is no longer retained by the server.
using ChangeStreamFactory =
    std::function<Result<std::unique_ptr<ChangeStream>>(const BinlogPosition& from)>;

}  // namespace ordo::engine
