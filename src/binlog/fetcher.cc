#include "binlog/fetcher.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <sys/socket.h>
#include <zlib.h>

#include <cstring>

#include "binlog/bytes.h"
#include "ordo/sync_point.h"

namespace ordo::binlog {
namespace {

constexpr size_t kFreeListSize = 64;
constexpr unsigned int kSlaveCapabilityGtid = 4;  // MARIA_SLAVE_CAPABILITY_GTID
constexpr size_t kCrcBytes = 4;

// The event's bytes from its header on (Connector/C keeps the protocol's OK byte
// in front).
const uint8_t* EventBytes(const MARIADB_RPL_EVENT& e) { return e.raw_data + e.raw_data_ofs; }
size_t EventSize(const MARIADB_RPL_EVENT& e) { return e.raw_data_size - e.raw_data_ofs; }

bool IsConnectionLoss(unsigned int code) {
  return code == CR_SERVER_LOST || code == CR_SERVER_GONE_ERROR ||
         code == CR_SERVER_LOST_EXTENDED || code == CR_CONNECTION_ERROR ||
         code == ER_CONNECTION_KILLED || code == ER_SERVER_SHUTDOWN || code == ER_QUERY_INTERRUPTED;
}

Status StreamError(unsigned int code, const std::string& message, const std::string& where) {
  std::string text =
      "binlog stream at " + where + ": mysql error " + std::to_string(code) + ": " + message;
  if (code == 0) return Unavailable("binlog stream at " + where + ": the server ended the stream");
  if (IsConnectionLoss(code)) return Unavailable(text);
  // ER_MASTER_FATAL_ERROR_READING_BINLOG: unknown or purged file, bad offset.
  if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG)
    return FailedPrecondition(text + " (is the position still retained on the server?)");
  if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR)
    return FailedPrecondition(text + " (reading the binlog needs the REPLICATION SLAVE privilege)");
  Status s = db::MapMysqlError(code, message);
  return Status(s.code(), "binlog stream at " + where + ": " + s.message(), s.retryable());
}

constexpr size_t kHeaderBytes = 19;

}  // namespace

std::string_view FetchedEvent::body() const {
  const uint8_t* bytes = EventBytes(*event);
  size_t size = EventSize(*event);
  size_t trailer = has_checksum ? kCrcBytes : 0;
  if (size < kHeaderBytes + trailer) return {};
  return {reinterpret_cast<const char*>(bytes) + kHeaderBytes, size - kHeaderBytes - trailer};
}

Result<std::unique_ptr<BinlogFetcher>> BinlogFetcher::Start(
    std::unique_ptr<db::MysqlConnection> conn, const BinlogFetcherOptions& options) {
  if (options.server_id == 0) return InvalidArgument("binlog stream needs a non-zero server id");
  if (options.file.empty()) return InvalidArgument("binlog stream needs a start file");
  std::unique_ptr<BinlogFetcher> stream(new BinlogFetcher());
  stream->max_queued_ = options.max_queued_events ? options.max_queued_events : 1;
  stream->file_ = options.file + ":" + std::to_string(options.offset);

  // Checksums: without this the server refuses to stream CRC32 binlogs to us.
  ORDO_RETURN_IF_ERROR(conn->Execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows alg, conn->Query("SELECT @master_binlog_checksum"));
  stream->crc32_ = !alg.rows.empty() && alg.rows[0][0] && *alg.rows[0][0] == "CRC32";
  ORDO_ASSIGN_OR_RETURN(uint64_t ignored,
                        conn->Execute("SET @mariadb_slave_capability = ?",
                                      {db::SqlValue::UInt(kSlaveCapabilityGtid)}));
  auto heartbeat_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.heartbeat_period).count());
  ORDO_ASSIGN_OR_RETURN(ignored, conn->Execute("SET @master_heartbeat_period = ?",
                                               {db::SqlValue::UInt(heartbeat_ns)}));
  (void)ignored;

  MYSQL* mysql = conn->raw();
  stream->connection_id_ = conn->thread_id();
  stream->rpl_ = mariadb_rpl_init(mysql);
  if (stream->rpl_ == nullptr)
    return Internal("mariadb_rpl_init failed: " + std::string(mysql_error(mysql)));
  mariadb_rpl_optionsv(stream->rpl_, MARIADB_RPL_FILENAME, options.file.c_str(),
                       options.file.size());
  mariadb_rpl_optionsv(stream->rpl_, MARIADB_RPL_START, static_cast<unsigned long>(options.offset));
  mariadb_rpl_optionsv(stream->rpl_, MARIADB_RPL_SERVER_ID,
                       static_cast<unsigned int>(options.server_id));
  mariadb_rpl_optionsv(stream->rpl_, MARIADB_RPL_FLAGS, 0u);
  // Compressed events (log_bin_compress=ON) are inflated by the library.
  mariadb_rpl_optionsv(stream->rpl_, MARIADB_RPL_UNCOMPRESS, 1u);
  stream->conn_ = std::move(conn);
  if (mariadb_rpl_open(stream->rpl_) != 0)
    return StreamError(mysql_errno(mysql), mysql_error(mysql), stream->file_);
  stream->socket_ = static_cast<int>(mysql_get_socket(mysql));
  stream->thread_ = std::thread([s = stream.get()] { s->Run(); });

  // The server answers the dump with its first event or an error (bad position,
  // missing privilege): wait for it so those errors come back from Start.
  MutexLock lock(&stream->mu_);
  if (!stream->ready_.wait_for(lock, options.start_timeout, [&]() ORDO_REQUIRES(stream->mu_) {
        return !stream->queue_.empty();
      })) {
    lock.unlock();
    return Unavailable("binlog stream at " + stream->file_ + ": no answer from the server within " +
                       std::to_string(options.start_timeout.count()) + " ms");
  }
  if (!stream->queue_.front().status.ok()) {
    Status s = stream->queue_.front().status;
    return s;
  }
  return stream;
}

BinlogFetcher::~BinlogFetcher() {
  Interrupt();
  if (thread_.joinable()) thread_.join();
  queue_.clear();
  free_.clear();
  if (rpl_) mariadb_rpl_close(rpl_);
  conn_.reset();
}

void BinlogFetcher::Interrupt() {
  {
    MutexLock lock(&mu_);
    if (interrupted_.exchange(true)) return;
  }
  // Wakes the fetch thread out of its blocking read; the socket stays open (and the
  // descriptor valid) until the destructor closes the connection.
  if (socket_ >= 0) shutdown(socket_, SHUT_RDWR);
  ready_.notify_all();
  space_.notify_all();
}

Result<FetchedEvent> BinlogFetcher::Next(std::chrono::milliseconds timeout) {
  ORDO_SYNC_POINT("BinlogFetcher::Next:BeforeWait");
  MutexLock lock(&mu_);
  if (!finished_.ok()) return finished_;
  ready_.wait_for(lock, timeout,
                  [&]() ORDO_REQUIRES(mu_) { return interrupted_.load() || !queue_.empty(); });
  if (interrupted_.load()) return Cancelled("binlog stream stopped");
  if (queue_.empty())
    return Timeout("no binlog event within " + std::to_string(timeout.count()) + " ms");
  Item item = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  space_.notify_one();
  if (!item.status.ok()) {
    MutexLock relock(&mu_);
    finished_ = item.status;
    return item.status;
  }
  return std::move(item.event);
}

void BinlogFetcher::Recycle(FetchedEvent event) {
  MutexLock lock(&mu_);
  if (free_.size() < kFreeListSize) free_.push_back(std::move(event.event));
}

Status BinlogFetcher::FetchError() {
  if (interrupted_.load()) return Cancelled("binlog stream stopped");
  MYSQL* mysql = conn_->raw();
  return StreamError(mysql_errno(mysql), mysql_error(mysql), file_);
}

Status BinlogFetcher::VerifyChecksum(const MARIADB_RPL_EVENT& event) {
  const uint8_t* bytes = EventBytes(event);
  size_t size = EventSize(event);
  if (event.event_type == FORMAT_DESCRIPTION_EVENT && size >= kCrcBytes + 1) {
    // A format description names the checksum algorithm of the events after it (in
    // its last byte before its own checksum).
    crc32_ = bytes[size - kCrcBytes - 1] == 1;
  }
  if (!crc32_) return Status::Ok();
  if (size < kCrcBytes) return Internal("corrupt binlog event: shorter than its checksum");
  auto stored = static_cast<uint32_t>(LoadLittle(bytes + size - kCrcBytes, kCrcBytes));
  auto computed = static_cast<uint32_t>(crc32(0L, bytes, static_cast<uInt>(size - kCrcBytes)));
  if (stored != computed)
    return DataLoss("binlog event ending at " + file_ + " offset " +
                    std::to_string(event.next_event_pos) + " fails its CRC32 check");
  return Status::Ok();
}

void BinlogFetcher::Run() {
  while (true) {
    MARIADB_RPL_EVENT* reuse = nullptr;
    {
      MutexLock lock(&mu_);
      if (!free_.empty()) {
        reuse = free_.back().release();
        free_.pop_back();
      }
    }
    // On failure the library frees `reuse` itself.
    MARIADB_RPL_EVENT* fetched = mariadb_rpl_fetch(rpl_, reuse);
    Item item;
    if (fetched == nullptr) {
      item.status = FetchError();
    } else {
      item.event.event.reset(fetched);
      item.status = VerifyChecksum(*fetched);
      item.event.has_checksum = crc32_;
      if (!item.status.ok()) item.event.event.reset();
      if (item.status.ok() && fetched->event_type == ROTATE_EVENT) {
        std::string_view body = item.event.body();  // 8-byte offset, then the file name
        if (body.size() > 8) file_.assign(body.substr(8));
      }
    }
    const bool last = !item.status.ok();
    {
      MutexLock lock(&mu_);
      space_.wait(lock, [&]() ORDO_REQUIRES(mu_) {
        return interrupted_.load() || queue_.size() < max_queued_;
      });
      if (interrupted_.load()) return;
      queue_.push_back(std::move(item));
    }
    ready_.notify_one();
    if (last) return;
  }
}

}  // namespace ordo::binlog
