#include "binlog/reader.h"

// mariadb_rpl.h needs mysql.h first.
// clang-format off
#include <mysql.h>
#include <mariadb_rpl.h>
// clang-format on

#include <string_view>

#include "binlog/bytes.h"
#include "binlog/catalog.h"
#include "binlog/column.h"
#include "binlog/fetcher.h"
#include "binlog/preflight.h"
#include "binlog/rows.h"
#include "binlog/statement.h"

namespace ordo {
namespace {

// Table ids are cached across transactions; a workload touching very many tables
// just refills the cache.
constexpr size_t kMaxCachedTables = 4096;

std::string_view View(const MARIADB_STRING& s) {
  return s.str == nullptr ? std::string_view() : std::string_view(s.str, s.length);
}

bool IsRowsEvent(int type) {
  return (type >= WRITE_ROWS_EVENT_V1 && type <= DELETE_ROWS_EVENT_V1) ||
         (type >= WRITE_ROWS_EVENT && type <= DELETE_ROWS_EVENT) ||
         (type >= WRITE_ROWS_COMPRESSED_EVENT_V1 && type <= DELETE_ROWS_COMPRESSED_EVENT);
}

}  // namespace

BinlogReader::BinlogReader() = default;
BinlogReader::~BinlogReader() = default;

Result<std::unique_ptr<BinlogReader>> BinlogReader::Open(const db::Dsn& dsn,
                                                         BinlogReaderOptions options) {
  if (options.server_id == 0) return InvalidArgument("binlog reader needs a non-zero server_id");
  if (options.start.empty())
    return InvalidArgument("binlog reader needs a start position (see ReadServerBinlogPosition)");
  if (options.read_timeout_s * 1000 < 2 * options.heartbeat_period.count())
    return InvalidArgument("binlog reader read_timeout_s must be at least two heartbeat periods");
  db::MysqlConnectOptions connect;
  connect.connect_timeout_s = options.connect_timeout_s;
  connect.read_timeout_s = options.read_timeout_s;
  connect.write_timeout_s = options.read_timeout_s;
  ORDO_ASSIGN_OR_RETURN(auto conn, db::MysqlConnection::Connect(dsn, connect));
  ORDO_RETURN_IF_ERROR(CheckBinlogPrerequisites(*conn));

  std::unique_ptr<BinlogReader> reader(new BinlogReader());
  for (auto& table : options.tables) reader->watched_.insert(std::move(table));
  reader->file_ = options.start.file;
  reader->offset_ = options.start.offset;
  reader->position_ = options.start;
  reader->committed_ = options.start;
  db::MysqlConnectOptions side;
  side.connect_timeout_s = options.connect_timeout_s;
  reader->catalog_ = std::make_unique<binlog::BinlogCatalog>(dsn, side);

  binlog::BinlogFetcherOptions fetch;
  fetch.server_id = options.server_id;
  fetch.file = options.start.file;
  fetch.offset = options.start.offset;
  fetch.heartbeat_period = options.heartbeat_period;
  fetch.max_queued_events = options.max_queued_events;
  fetch.start_timeout = std::chrono::seconds(options.connect_timeout_s + options.read_timeout_s);
  ORDO_ASSIGN_OR_RETURN(reader->fetcher_, binlog::BinlogFetcher::Start(std::move(conn), fetch));
  return reader;
}

uint64_t BinlogReader::connection_id() const { return fetcher_->connection_id(); }

BinlogReaderStats BinlogReader::stats() const {
  BinlogReaderStats s = stats_;
  s.catalog_lookups = catalog_->lookups();
  return s;
}

void BinlogReader::Interrupt() { fetcher_->Interrupt(); }

Result<BinlogEvent> BinlogReader::Next(std::chrono::milliseconds timeout) {
  if (!failed_.ok()) return failed_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto raw = fetcher_->Next(std::max(left, std::chrono::milliseconds(0)));
    if (!raw.ok()) {
      if (!raw.status().Is(StatusCode::kTimeout)) failed_ = raw.status();
      return raw.status();
    }
    BinlogEvent out;
    bool emit = false;
    Status handled = Handle(*raw, out, &emit);
    fetcher_->Recycle(std::move(*raw));
    if (!handled.ok()) {
      failed_ = handled;
      return handled;
    }
    if (emit) {
      position_ = out.position;
      return out;
    }
  }
}

BinlogPosition BinlogReader::Here() const {
  BinlogPosition p;
  p.file = file_;
  p.offset = offset_;
  p.gtid = committed_.gtid;
  return p;
}

void BinlogReader::EndGroup() {
  committed_.file = file_;
  committed_.offset = offset_;
  if (!group_gtid_.empty()) committed_.gtid = group_gtid_;
}

bool BinlogReader::Watches(const std::string& schema, const std::string& table) const {
  return watched_.empty() || watched_.count({schema, table}) > 0;
}

Status BinlogReader::Handle(const binlog::FetchedEvent& fetched, BinlogEvent& out, bool* emit) {
  const MARIADB_RPL_EVENT& e = *fetched.event;
  ++stats_.events;
  const bool artificial = (e.flags & LOG_EVENT_ARTIFICIAL_F) != 0;
  // Real events carry the offset just after themselves; artificial ones (the
  // rotate and format description sent at the start of a dump) and heartbeats do
  // not describe a place in the stream.
  if (!artificial && e.next_event_pos != 0 && e.event_type != HEARTBEAT_LOG_EVENT)
    offset_ = e.next_event_pos;

  switch (e.event_type) {
    case ROTATE_EVENT: {
      // Parsed here: Connector/C 3.3 misreads rotates that follow a format
      // description. The body is the next file's first offset and its name.
      std::string_view body = fetched.body();
      if (body.size() <= 8) return binlog::CorruptEvent("short ROTATE event");
      std::string file(body.substr(8));
      *emit = file != file_;
      out.kind = BinlogEvent::Kind::kRotate;
      file_ = std::move(file);
      offset_ = binlog::LoadLittle(reinterpret_cast<const uint8_t*>(body.data()), 8);
      // Between files nothing is in flight: the new file's start is a safe point.
      if (*emit) EndGroup();
      break;
    }
    case GTID_EVENT:
      group_gtid_ = std::to_string(e.event.gtid.domain_id) + "-" + std::to_string(e.server_id) +
                    "-" + std::to_string(e.event.gtid.sequence_nr);
      group_standalone_ = (e.event.gtid.flags & FL_STANDALONE) != 0;
      break;
    case TABLE_MAP_EVENT:
      return OnTableMap(e);
    case XID_EVENT:
      EndGroup();
      out.kind = BinlogEvent::Kind::kCommit;
      *emit = true;
      break;
    case QUERY_EVENT:
    case QUERY_COMPRESSED_EVENT:
      ORDO_RETURN_IF_ERROR(OnQuery(e, out, emit));
      break;
    case HEARTBEAT_LOG_EVENT: {
      out.kind = BinlogEvent::Kind::kHeartbeat;
      std::string_view file = fetched.body();  // the binlog file the server is at
      out.position.file = file.empty() ? file_ : std::string(file);
      out.position.offset = e.next_event_pos;
      out.position.gtid = committed_.gtid;
      *emit = true;
      return Status::Ok();
    }
    case INCIDENT_EVENT:
      return DataLoss("the server logged an incident in " + file_ + " at offset " +
                      std::to_string(offset_) + ": the binlog may be missing changes");
    default:
      if (IsRowsEvent(e.event_type)) return OnRows(e, out, emit);
      break;  // format descriptions, GTID lists, checkpoints, …: nothing to report
  }
  if (*emit) out.position = Here();
  return Status::Ok();
}

Status BinlogReader::OnQuery(const MARIADB_RPL_EVENT& e, BinlogEvent& out, bool* emit) {
  std::string_view sql = View(e.event.query.statement);
  switch (binlog::ClassifyStatement(sql)) {
    case binlog::StatementRole::kFraming:
      return Status::Ok();
    case binlog::StatementRole::kEndsGroup:
      EndGroup();
      out.kind = BinlogEvent::Kind::kCommit;
      *emit = true;
      return Status::Ok();
    case binlog::StatementRole::kDdl:
      // A DDL statement is normally an event group of its own.
      if (group_standalone_) EndGroup();
      out.kind = BinlogEvent::Kind::kDdl;
      out.query.assign(sql);
      out.query_schema.assign(View(e.event.query.database));
      *emit = true;
      return Status::Ok();
  }
  return Status::Ok();
}

Status BinlogReader::OnTableMap(const MARIADB_RPL_EVENT& e) {
  const auto& map = e.event.table_map;
  std::string_view schema = View(map.database), table = View(map.table);
  std::string_view types = View(map.column_types), metadata = View(map.metadata);
  auto it = tables_.find(map.table_id);
  if (it != tables_.end()) {
    const binlog::BinlogTable& known = *it->second;
    // Watched tables keep their raw map to recognise it; unwatched ones need only
    // their name.
    if (known.schema_name == schema && known.table_name == table &&
        (!known.watched || (known.column_types == types && known.metadata == metadata)))
      return Status::Ok();
  }
  auto t = std::make_unique<binlog::BinlogTable>();
  t->table_id = map.table_id;
  t->schema_name.assign(schema);
  t->table_name.assign(table);
  t->watched = Watches(t->schema_name, t->table_name);
  if (t->watched) {
    t->column_types.assign(types);
    t->metadata.assign(metadata);
  }
  if (tables_.size() >= kMaxCachedTables) tables_.clear();
  tables_[map.table_id] = std::move(t);
  return Status::Ok();
}

Status BinlogReader::Resolve(binlog::BinlogTable& t) {
  if (t.resolved) return Status::Ok();
  const std::string name = db::QuoteTable(t.schema_name, t.table_name);
  auto columns = binlog::ParseTableMapColumns(t.column_types, t.metadata);
  if (!columns.ok()) return columns.status().WithContext(name);
  t.columns = std::move(*columns);
  auto catalog = catalog_->Columns(t.schema_name, t.table_name);
  if (!catalog.ok()) {
    if (catalog.status().Is(StatusCode::kNotFound))
      return FailedPrecondition(name + " no longer exists: its binlog events cannot be decoded");
    return catalog.status().WithContext("looking up " + name);
  }
  ORDO_RETURN_IF_ERROR(binlog::ApplyCatalog(*catalog, t));
  t.resolved = true;
  return Status::Ok();
}

Status BinlogReader::OnRows(const MARIADB_RPL_EVENT& e, BinlogEvent& out, bool* emit) {
  const auto& rows = e.event.rows;
  auto it = tables_.find(rows.table_id);
  if (it == tables_.end())
    return binlog::CorruptEvent("rows event for table_id " + std::to_string(rows.table_id) +
                                " without a TABLE_MAP");
  binlog::BinlogTable& table = *it->second;
  if (!table.watched) {
    ++stats_.rows_events_skipped;
    return Status::Ok();
  }
  ORDO_RETURN_IF_ERROR(Resolve(table));
  // MariaDB writes version 1 rows events (optionally compressed); the version 2
  // layout is MySQL's and is not read yet.
  const bool v1 = (e.event_type >= WRITE_ROWS_EVENT_V1 && e.event_type <= DELETE_ROWS_EVENT_V1) ||
                  (e.event_type >= WRITE_ROWS_COMPRESSED_EVENT_V1 &&
                   e.event_type <= DELETE_ROWS_COMPRESSED_EVENT_V1);
  if (!v1)
    return FailedPrecondition("rows event type " + std::to_string(e.event_type) + " for " +
                              db::QuoteTable(table.schema_name, table.table_name) +
                              " is not supported (MySQL version 2 rows events)");
  binlog::RowsEventView view;
  view.kind = rows.type == WRITE_ROWS    ? RowChange::Kind::kInsert
              : rows.type == UPDATE_ROWS ? RowChange::Kind::kUpdate
                                         : RowChange::Kind::kDelete;
  view.column_count = rows.column_count;
  view.columns = rows.column_bitmap;
  view.columns_after = rows.column_update_bitmap;
  view.data = static_cast<const uint8_t*>(rows.row_data);
  view.size = rows.row_data_size;
  bool partial = false;
  Status decoded = binlog::DecodeRowsEvent(table, view, out.rows, &partial);
  if (!decoded.ok())
    return decoded.WithContext("decoding rows of " +
                               db::QuoteTable(table.schema_name, table.table_name));
  if (partial)
    return FailedPrecondition(
        "binlog rows of " + db::QuoteTable(table.schema_name, table.table_name) +
        " lack columns (written by a session with binlog_row_image other than FULL); "
        "ordo needs full row images");
  ++stats_.rows_events_decoded;
  stats_.rows += out.rows.size();
  out.kind = BinlogEvent::Kind::kRows;
  out.position = Here();
  *emit = true;
  return Status::Ok();
}

}  // namespace ordo
