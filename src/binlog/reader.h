// BinlogReader: change capture from a MariaDB/MySQL binlog, decoded into
// BinlogEvents (binlog/event.h) for the tables the engine watches.
//
// It opens its own replication connection (checking log_bin, binlog_format=ROW,
// binlog_row_image=FULL and REPLICATION SLAVE first), streams from a BinlogPosition,
// and returns row changes of watched tables (inserts, updates with before and after
// images, deletes), transaction ends with a safe resume position, DDL statements,
// rotates and heartbeats. Rows of other tables are skipped without decoding.
// Column layout comes from each TABLE_MAP event plus one information_schema lookup
// per table_id on a side connection (signedness, BINARY padding; see
// binlog/catalog.h), so binlog_row_metadata=FULL is not required. The lookup happens
// at a table's first rows event: a map without rows (MariaDB maps every table a
// session holds under LOCK TABLES) is never checked, so a table renamed or altered
// after such a map does not fail the stream.
//
// Resuming: every kCommit event's `position` is a safe point: a reader opened there
// replays nothing of that transaction and misses nothing after it. After an error
// (e.g. Unavailable when the connection drops) open a new reader at the last kCommit
// position; rows seen after it will be delivered again.
//
// Thread-safety: Next() and the accessors from one thread; Interrupt() from any
// thread (e.g. a stop request) makes a blocked Next() return Cancelled.
//
//   BinlogReaderOptions options;
//   options.server_id = 4242;
//   options.start = saved_position;
//   options.tables = {{"shop", "orders"}};
//   ORDO_ASSIGN_OR_RETURN(auto reader, BinlogReader::Open(dsn, options));
//   while (!stop) {
//     auto event = reader->Next(std::chrono::milliseconds(500));
//     if (!event.ok() && event.status().Is(StatusCode::kTimeout)) continue;
//     if (!event.ok()) return event.status();
//     if (event->kind == BinlogEvent::Kind::kCommit) checkpoint = event->position;
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "binlog/event.h"
#include "db/dsn.h"
#include "ordo/status.h"

struct st_mariadb_rpl_event;

namespace ordo {

namespace binlog {
class BinlogCatalog;
class BinlogFetcher;
struct BinlogTable;
struct FetchedEvent;
}  // namespace binlog

struct BinlogReaderOptions {
  // This reader's replica id: unique among everything replicating from the server
  // (a second connection with the same id makes the server drop the first).
  uint32_t server_id = 0;
  BinlogPosition start;  // where to start; see ReadServerBinlogPosition()
  // (schema, table) pairs whose row changes are decoded; empty watches every table.
  std::vector<std::pair<std::string, std::string>> tables;
  // The server sends a heartbeat after this long without events.
  std::chrono::milliseconds heartbeat_period{1000};
  int connect_timeout_s = 5;
  // A connection silent (no events, no heartbeats) this long counts as lost.
  int read_timeout_s = 30;
  size_t max_queued_events = 256;  // read ahead of the consumer at most this many
};

struct BinlogReaderStats {
  uint64_t events = 0;               // raw events received
  uint64_t rows_events_decoded = 0;  // rows events of watched tables
  uint64_t rows_events_skipped = 0;  // rows events of other tables
  uint64_t rows = 0;                 // row changes returned
  int catalog_lookups = 0;           // information_schema queries
};

class BinlogReader {
 public:
  // Checks the server's prerequisites and starts streaming at options.start.
  // FailedPrecondition naming what is missing (settings, privilege, a purged
  // position); InvalidArgument for bad options; Unavailable (retryable) when the
  // server cannot be reached.
  static Result<std::unique_ptr<BinlogReader>> Open(const db::Dsn& dsn,
                                                    BinlogReaderOptions options);
  ~BinlogReader();
  BinlogReader(const BinlogReader&) = delete;
  BinlogReader& operator=(const BinlogReader&) = delete;

  // The next event, waiting at most `timeout`. Timeout (retryable) when nothing
  // arrived; Cancelled after Interrupt(); Unavailable (retryable) when the connection
  // was lost; FailedPrecondition when a watched table's events cannot be decoded
  // faithfully (a partial row image, a table altered since, an unsupported type);
  // DataLoss for a failed checksum or a server incident. Every error but Timeout ends
  // the reader: open a new one at committed().
  Result<BinlogEvent> Next(std::chrono::milliseconds timeout);

  // Makes a blocked or later Next() return Cancelled. Safe from any thread.
  void Interrupt();

  // The position after the last event Next() returned.
  const BinlogPosition& position() const { return position_; }
  // The last safe resume point (end of the last transaction or DDL seen).
  const BinlogPosition& committed() const { return committed_; }
  // The server's connection id of the replication connection (for KILL).
  uint64_t connection_id() const;
  BinlogReaderStats stats() const;

 private:
  BinlogReader();
  Status Handle(const binlog::FetchedEvent& fetched, BinlogEvent& out, bool* emit);
  Status OnTableMap(const st_mariadb_rpl_event& e);
  Status OnRows(const st_mariadb_rpl_event& e, BinlogEvent& out, bool* emit);
  // Parses a watched table's map and checks it against the catalog (once per map).
  Status Resolve(binlog::BinlogTable& table);
  Status OnQuery(const st_mariadb_rpl_event& e, BinlogEvent& out, bool* emit);
  bool Watches(const std::string& schema, const std::string& table) const;
  void EndGroup();
  BinlogPosition Here() const;

  std::unique_ptr<binlog::BinlogFetcher> fetcher_;
  std::unique_ptr<binlog::BinlogCatalog> catalog_;
  std::set<std::pair<std::string, std::string>> watched_;
  std::map<uint64_t, std::unique_ptr<binlog::BinlogTable>> tables_;  // by table_id
  std::string file_;
  uint64_t offset_ = 0;
  std::string group_gtid_;        // GTID of the event group being read
  bool group_standalone_ = true;  // the group is one statement without COMMIT/XID
  BinlogPosition position_;
  BinlogPosition committed_;
  BinlogReaderStats stats_;
  Status failed_;
};

}  // namespace ordo
