// BinlogFetcher: the raw events of one binlog replication connection.
//
// It turns a connected session into a replica stream: it agrees on CRC32 checksums
// (@master_binlog_checksum), announces GTID capability (@mariadb_slave_capability)
// so GTID events arrive, asks for heartbeats while idle (@master_heartbeat_period),
// and sends COM_BINLOG_DUMP from a file and offset. A background thread fetches
// events with Connector/C (mariadb_rpl_fetch), verifies each event's CRC32 and queues
// it (bounded), so Next() can wait with any timeout and Interrupt() can wake it from
// another thread by shutting the socket down.
//
// Thread-safety: Next() and Recycle() from one consumer thread; Interrupt() from any
// thread.
//
//   ORDO_ASSIGN_OR_RETURN(auto fetcher, BinlogFetcher::Start(std::move(conn), options));
//   ORDO_ASSIGN_OR_RETURN(FetchedEvent event, fetcher->Next(std::chrono::milliseconds(500)));
//   ... event.event->event_type ...
//   fetcher->Recycle(std::move(event));
#pragma once

// mariadb_rpl.h needs mysql.h first.
// clang-format off
#include <mysql.h>
#include <mariadb_rpl.h>
// clang-format on

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "db/mysql/connection.h"
#include "ordo/status.h"

namespace ordo::binlog {

struct RplEventDeleter {
  void operator()(MARIADB_RPL_EVENT* event) const { mariadb_free_rpl_event(event); }
};
using RplEvent = std::unique_ptr<MARIADB_RPL_EVENT, RplEventDeleter>;

// One event as Connector/C parsed it, plus where its own bytes are.
struct FetchedEvent {
  RplEvent event;
  bool has_checksum = false;  // the event ends in a (verified) CRC32

  // The event's bytes after the 19-byte common header, without the checksum: for
  // the few event types whose library parsing is not trusted (rotate, heartbeat).
  std::string_view body() const;
};

struct BinlogFetcherOptions {
  uint32_t server_id = 0;  // must be unique among the server's replicas
  std::string file;        // binlog file to start in
  uint64_t offset = 4;     // offset of the first event to read
  std::chrono::milliseconds heartbeat_period{1000};
  size_t max_queued_events = 256;
  // How long Start() waits for the server to accept the dump.
  std::chrono::milliseconds start_timeout{10000};
};

class BinlogFetcher {
 public:
  // Takes over `conn` and starts the dump. Errors: FailedPrecondition when the
  // server refuses the position (purged or unknown file) or the privilege;
  // Unavailable (retryable) when the connection fails.
  static Result<std::unique_ptr<BinlogFetcher>> Start(std::unique_ptr<db::MysqlConnection> conn,
                                                      const BinlogFetcherOptions& options);
  ~BinlogFetcher();
  BinlogFetcher(const BinlogFetcher&) = delete;
  BinlogFetcher& operator=(const BinlogFetcher&) = delete;

  // The next event, waiting at most `timeout`. Timeout (retryable) when none arrived;
  // Cancelled after Interrupt(); Unavailable (retryable) when the connection was lost
  // or the server ended the stream; DataLoss when an event fails its CRC32 check.
  // After any error other than Timeout the stream is finished.
  Result<FetchedEvent> Next(std::chrono::milliseconds timeout);
  // Hands a processed event back so its memory is reused for a later one.
  void Recycle(FetchedEvent event);
  // Wakes a blocked Next() (which returns Cancelled) and stops the stream. Safe from
  // any thread, more than once.
  void Interrupt();

  // The server's id for this connection (for KILL).
  uint64_t connection_id() const { return connection_id_; }

 private:
  struct Item {
    FetchedEvent event;
    Status status;  // set when the stream ended
  };

  BinlogFetcher() = default;
  void Run();
  Status FetchError();
  Status VerifyChecksum(const MARIADB_RPL_EVENT& event);

  std::unique_ptr<db::MysqlConnection> conn_;
  MARIADB_RPL* rpl_ = nullptr;
  int socket_ = -1;
  uint64_t connection_id_ = 0;
  size_t max_queued_ = 256;
  std::string file_;    // for messages; owned by the fetch thread after Start
  bool crc32_ = false;  // fetch thread: events carry a CRC32 trailer

  Mutex mu_;
  std::condition_variable_any ready_;  // queue_ gained an item or interrupted
  std::condition_variable_any space_;  // queue_ lost an item or interrupted
  std::deque<Item> queue_ ORDO_GUARDED_BY(mu_);
  std::vector<RplEvent> free_ ORDO_GUARDED_BY(mu_);
  std::atomic<bool> interrupted_{false};
  Status finished_ ORDO_GUARDED_BY(mu_);  // consumer: the error that ended the stream
  std::thread thread_;
};

}  // namespace ordo::binlog
