// NewMysqlEngine with the binlog reader (binlog/reader.h) as its change stream.
#include <random>

#include "binlog/reader.h"
#include "engine/mysql/mysql_engine.h"

namespace ordo::engine {
namespace {

class ReaderStream final : public ChangeStream {
 public:
  explicit ReaderStream(std::unique_ptr<BinlogReader> reader) : reader_(std::move(reader)) {}
  Result<std::optional<BinlogEvent>> Next(std::chrono::milliseconds timeout) override {
    auto event = reader_->Next(timeout);
    if (!event.ok()) {
      if (event.status().code() == StatusCode::kTimeout) return std::optional<BinlogEvent>();
      return event.status();
    }
    return std::optional<BinlogEvent>(std::move(*event));
  }

 private:
  std::unique_ptr<BinlogReader> reader_;
};

// A replica id unlikely to clash with real replicas or another engine's reader.
uint32_t RandomServerId() {
  std::random_device rd;
  return 1'000'000'000u + rd() % 1'000'000'000u;
}

}  // namespace

ChangeStreamFactory BinlogStreamFactory(const db::Dsn& dsn, const EngineSpec& spec) {
  BinlogReaderOptions base;
  base.server_id = RandomServerId();
  for (const TableChange& c : spec.changes)
    base.tables.emplace_back(c.schema_name.empty() ? dsn.database : c.schema_name, c.table_name);
  return [dsn, base](const BinlogPosition& from) -> Result<std::unique_ptr<ChangeStream>> {
    BinlogReaderOptions options = base;
    options.start = from;
    ORDO_ASSIGN_OR_RETURN(auto reader, BinlogReader::Open(dsn, options));
    return std::unique_ptr<ChangeStream>(new ReaderStream(std::move(reader)));
  };
}

}  // namespace ordo::engine

namespace ordo {

Result<std::unique_ptr<OperationEngine>> NewMysqlEngine(const EngineSpec& spec, EngineHost* host) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(spec.target_dsn));
  return engine::NewMysqlEngineWithStreams(spec, host, engine::BinlogStreamFactory(dsn, spec));
}

}  // namespace ordo
