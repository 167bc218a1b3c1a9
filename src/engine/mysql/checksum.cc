#include "engine/mysql/checksum.h"

#include <cctype>
#include <chrono>
#include <map>
#include <thread>

#include "engine/mysql/sql_text.h"

namespace ordo::engine {
namespace {

constexpr int kSnapshotAttempts = 8;

bool IsText(const std::string& data_type) {
  return data_type == "char" || data_type == "varchar" || data_type == "tinytext" ||
         data_type == "text" || data_type == "mediumtext" || data_type == "longtext" ||
         data_type == "enum" || data_type == "set";
}

// "(3)" or "(12,4)" from a COLUMN_TYPE such as "datetime(3)" or "decimal(12,4) unsigned";
// "" when the type has no (digits[,digits]) part.
std::string Precision(const std::string& column_type) {
  size_t open = column_type.find('(');
  size_t close = column_type.find(')', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  std::string inside = column_type.substr(open + 1, close - open - 1);
  for (char c : inside)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',') return "";
  return "(" + inside + ")";
}

// The CAST that gives a value of column `from` the text form it has once stored in
// column `to`, when the two types write the same value differently (DATETIME vs
// DATETIME(3), DECIMAL(10,2) vs DECIMAL(12,4), FLOAT vs DOUBLE); "" when the text
// forms already agree.
std::string CastTarget(const ColumnInfo& from, const ColumnInfo& to) {
  if (from.column_type == to.column_type) return "";
  const std::string& t = to.data_type;
  if (t == "datetime" || t == "timestamp") return "DATETIME" + Precision(to.column_type);
  if (t == "time") return "TIME" + Precision(to.column_type);
  if (t == "date") return "DATE";
  if (t == "decimal") return "DECIMAL" + Precision(to.column_type);
  if (t == "double") return "DOUBLE";
  if (t == "float") return "FLOAT";
  return "";
}

// CRC32 of one row's common columns, written for one side of a comparison: `table` and
// `names` are this side's, `other` and `other_names` the other side's, and `from_source`
// says whether this is the source side (whose values are first cast to the shadow's
// column types where their text forms would differ). Both sides build the same shape:
// - a text column whose charset is the same on both sides is compared as its raw bytes
//   (CAST … AS BINARY: no conversion per row); a charset change compares both sides
//   converted to utf8mb4;
// - CONCAT_WS skips NULLs, so a column that is nullable on either side adds one bit to
//   a null bitmap computed with integer arithmetic and appended once; a table with no
//   nullable common column has none.
std::string RowCrc(const TableInfo& table, const std::vector<std::string>& names,
                   const TableInfo& other, const std::vector<std::string>& other_names,
                   bool from_source) {
  std::string values;
  std::vector<std::string> null_terms;
  std::string bits;
  int bit = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const ColumnInfo& c = table.columns[table.ColumnIndex(names[i])];
    const ColumnInfo& o = other.columns[other.ColumnIndex(other_names[i])];
    std::string q = db::QuoteIdentifier(names[i]);
    std::string cast = from_source ? CastTarget(c, o) : "";
    if (!cast.empty())
      values += ", CAST(" + q + " AS " + cast + ")";
    else if (IsText(c.data_type) && IsText(o.data_type) && c.charset == o.charset)
      values += ", CAST(" + q + " AS BINARY)";
    else
      values += ", " + (IsText(c.data_type) ? "CONVERT(" + q + " USING utf8mb4)" : q);
    if (!c.nullable && !o.nullable) continue;
    if (bit == 62) {  // one BIGINT term per 62 nullable columns
      null_terms.push_back("(" + bits + ")");
      bits.clear();
      bit = 0;
    }
    bits +=
        (bit ? " | " : "") + std::string("((") + q + " IS NULL) << " + std::to_string(bit) + ")";
    ++bit;
  }
  if (!bits.empty()) null_terms.push_back("(" + bits + ")");
  for (const std::string& t : null_terms) values += ", " + t;
  return "CRC32(CONCAT_WS(0x1f" + values + "))";
}

struct Side {
  std::string table;              // quoted
  std::string crc;                // row CRC expression
  std::vector<std::string> keys;  // key columns on this side
};

Result<std::pair<int64_t, std::string>> ChunkSum(db::MysqlConnection& conn, const Side& side,
                                                 const std::optional<Key>& lower,
                                                 const std::optional<Key>& upper) {
  Predicate range = KeyRange(side.keys, lower, upper);
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT COUNT(*), COALESCE(SUM(" + side.crc + "), 0) FROM " +
                                       side.table + " WHERE " + range.sql,
                                   range.params));
  return std::make_pair(static_cast<int64_t>(std::stoll(rows.rows[0][0].value_or("0"))),
                        rows.rows[0][1].value_or("0"));
}

Result<std::map<std::string, std::string>> RowCrcs(db::MysqlConnection& conn, const Side& side,
                                                   const std::optional<Key>& lower,
                                                   const std::optional<Key>& upper) {
  Predicate range = KeyRange(side.keys, lower, upper);
  std::string concat = "CONCAT_WS(', '";
  for (const auto& k : side.keys) concat += ", " + db::QuoteIdentifier(k);
  concat += ")";
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT " + concat + ", " + side.crc + " FROM " + side.table +
                                       " WHERE " + range.sql,
                                   range.params));
  std::map<std::string, std::string> out;
  for (const db::SqlRow& r : rows.rows) out[r[0].value_or("")] = r[1].value_or("");
  return out;
}

Status NameDifference(db::MysqlConnection& src, db::MysqlConnection& dst, const Side& a,
                      const Side& b, const std::string& where, const std::optional<Key>& lower,
                      const std::optional<Key>& upper) {
  ORDO_ASSIGN_OR_RETURN(auto left, RowCrcs(src, a, lower, upper));
  ORDO_ASSIGN_OR_RETURN(auto right, RowCrcs(dst, b, lower, upper));
  for (const auto& [key, crc] : left) {
    auto it = right.find(key);
    if (it == right.end())
      return DataLoss(where + ": verification failed: row with key (" + key +
                      ") is missing from the new table");
    if (it->second != crc)
      return DataLoss(where + ": verification failed: row with key (" + key +
                      ") differs in the new table");
  }
  for (const auto& [key, crc] : right)
    if (!left.count(key))
      return DataLoss(where + ": verification failed: the new table has a row with key (" + key +
                      ") that the table does not");
  return DataLoss(where + ": verification failed: chunk checksums differ");
}

Key KeyOf(const db::SqlRow& row, const TablePlan& plan) {
  Key key;
  for (size_t i = 0; i < row.size(); ++i) {
    std::string v = row[i].value_or("");
    bool binary = plan.source.columns[plan.source_key[i]].is_binary();
    key.push_back(binary ? db::SqlValue::Bytes(v) : db::SqlValue::Text(v));
  }
  return key;
}

Status VerifyTable(const TablePlan& plan, const ChunkBounds* known, const std::optional<Key>& skip,
                   const std::optional<Key>& stop, db::MysqlConnection& src,
                   db::MysqlConnection& dst, const VerifyOptions& options, VerifyReport* report) {
  std::string where = db::QuoteTable(plan.schema(), plan.table());
  Side a{where, RowCrc(plan.source, plan.source_names, plan.shadow, plan.shadow_names, true),
         plan.source.key_columns};
  Side b{db::QuoteTable(plan.schema(), plan.shadow_name),
         RowCrc(plan.shadow, plan.shadow_names, plan.source, plan.source_names, false),
         {}};
  for (int k : plan.source_key) {
    int found = -1;
    for (size_t j = 0; j < plan.source_index.size(); ++j)
      if (plan.source_index[j] == k) found = static_cast<int>(j);
    if (found < 0) return FailedPrecondition(where + ": the key columns must survive the change");
    b.keys.push_back(plan.shadow_names[found]);
  }
  // The upper bound of the chunk after `lower` from the source snapshot, at most `cap`
  // (nullopt: none, the chunk runs to the end of the table).
  auto queried = [&](const std::optional<Key>& lower,
                     const std::optional<Key>& cap) -> Result<std::optional<Key>> {
    Predicate range = KeyRange(a.keys, lower, cap);
    std::vector<db::SqlValue> params = range.params;
    params.push_back(db::SqlValue::Int(options.chunk_rows - 1));
    ORDO_ASSIGN_OR_RETURN(
        db::SqlRows bound,
        src.Query("SELECT " + ColumnList(a.keys) + " FROM " + a.table + " WHERE " + range.sql +
                      " ORDER BY " + ColumnList(a.keys) + " LIMIT 1 OFFSET ?",
                  params));
    if (bound.rows.empty()) return cap;
    return std::optional<Key>(KeyOf(bound.rows[0], plan));
  };
  auto compare = [&](const std::optional<Key>& from, const std::optional<Key>& upper) -> Status {
    if (options.should_stop && options.should_stop())
      return Cancelled("verification stopped on request");
    const auto started = std::chrono::steady_clock::now();
    Result<std::pair<int64_t, std::string>> right = Internal("not run");
    std::thread other([&] { right = ChunkSum(dst, b, from, upper); });
    auto left = ChunkSum(src, a, from, upper);
    other.join();
    if (!left.ok()) return left.status();
    if (!right.ok()) return right.status();
    ++report->chunks;
    report->rows_compared += left->first;
    if (*left != *right) return NameDifference(src, dst, a, b, where, from, upper);
    if (!options.rest_ms) return Status::Ok();
    const auto ended = std::chrono::steady_clock::now();
    const auto until =
        ended +
        std::chrono::milliseconds(options.rest_ms(
            std::chrono::duration_cast<std::chrono::milliseconds>(ended - started).count()));
    while (std::chrono::steady_clock::now() < until) {
      if (options.should_stop && options.should_stop())
        return Cancelled("verification stopped on request");
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
    }
    return Status::Ok();
  };
  std::optional<Key> lower;
  if (!known) {
    // Start to end, each bound queried just before its chunk: the walk over the key
    // brings in the pages the source side's sum reads next.
    while (true) {
      ORDO_ASSIGN_OR_RETURN(std::optional<Key> upper, queried(lower, std::nullopt));
      ORDO_RETURN_IF_ERROR(compare(lower, upper));
      if (!upper) return Status::Ok();
      lower = upper;
    }
  }
  // The chunks, in key order: before the copy's bounds start (a resumed copy's first
  // run), queried ones up to their start; then the copy's, merged up to chunk_rows;
  // then queried ones to the end of the table (the last chunk's upper is nullopt).
  // A prefix known to match (`skip`) is left out, and a round stops at `stop`.
  std::vector<std::optional<Key>> uppers;
  bool before_known = known->from.has_value();
  size_t next_known = 0;
  if (skip) {
    if (std::optional<size_t> at = known->IndexOf(*skip)) {
      lower = skip;
      before_known = false;
      next_known = *at + 1;
    }
  }
  const std::optional<Key> start = lower;
  if (stop) {
    std::optional<size_t> at = known->IndexOf(*stop);
    if (!at || *at < next_known) return Status::Ok();  // nothing (more) to compare
  }
  do {
    if (options.should_stop && options.should_stop())
      return Cancelled("verification stopped on request");
    std::optional<Key> upper;
    if (before_known) {
      ORDO_ASSIGN_OR_RETURN(upper, queried(lower, known->from));
      before_known = upper != known->from;
    } else if (next_known < known->uppers.size()) {
      for (int64_t rows = 0; next_known < known->uppers.size() && rows < options.chunk_rows;) {
        rows += known->uppers[next_known].second;
        upper = known->uppers[next_known++].first;
        if (upper == stop) break;
      }
    } else {
      ORDO_ASSIGN_OR_RETURN(upper, queried(lower, std::nullopt));
    }
    uppers.push_back(upper);
    lower = upper;
  } while (uppers.back() && uppers.back() != stop);
  // Compared from the last chunk back: the copy just wrote the shadow's last pages and
  // read the source's, so they are the ones still in the buffer pool.
  for (size_t i = uppers.size(); i-- > 0;)
    ORDO_RETURN_IF_ERROR(compare(i > 0 ? uppers[i - 1] : start, uppers[i]));
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> VerifyTables(const std::vector<const TablePlan*>& plans, db::MysqlPool* pool,
                                  SyncLoop* loop, const VerifyOptions& options) {
  ORDO_ASSIGN_OR_RETURN(auto src, pool->Acquire());
  ORDO_ASSIGN_OR_RETURN(auto dst, pool->Acquire());
  bool consistent = false;
  for (int attempt = 0; attempt < kSnapshotAttempts && !consistent; ++attempt) {
    // Pause first, so that the applier is behind the snapshot taken next.
    ORDO_RETURN_IF_ERROR(loop->Pause(std::chrono::seconds(60)));
    Status began = src->Execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (began.ok()) began = src->Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    if (!began.ok()) {
      loop->Release();
      return began;
    }
    auto st = src->Query("SHOW STATUS LIKE 'binlog_snapshot_%'");
    if (!st.ok()) {
      loop->Release();
      return st.status();
    }
    BinlogPosition at;
    for (const db::SqlRow& r : st->rows) {
      if (r[0].value_or("") == "Binlog_snapshot_file") at.file = r[1].value_or("");
      if (r[0].value_or("") == "Binlog_snapshot_position")
        at.offset = std::stoull(r[1].value_or("0"));
    }
    Status held = loop->HoldAt(at, std::chrono::seconds(60));
    if (!held.ok()) {
      loop->Release();
      (void)src->Execute("ROLLBACK");
      if (held.code() == StatusCode::kFailedPrecondition) continue;
      return held;
    }
    Status opened = dst->Execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    if (opened.ok()) opened = dst->Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
    loop->Release();
    if (!opened.ok()) {
      (void)src->Execute("ROLLBACK");
      return opened;
    }
    consistent = true;
  }
  if (!consistent) return FailedPrecondition("could not take a consistent point for verification");
  VerifyReport report;
  Status s;
  for (size_t i = 0; i < plans.size(); ++i) {
    const ChunkBounds* known = i < options.bounds.size() ? options.bounds[i] : nullptr;
    std::optional<Key> skip, stop;
    if (known && options.verified_through) skip = options.verified_through(i);
    if (known && i < options.stop_at.size()) stop = options.stop_at[i];
    s = VerifyTable(*plans[i], known, skip, stop, *src, *dst, options, &report);
    if (!s.ok()) break;
  }
  (void)src->Execute("COMMIT");
  (void)dst->Execute("COMMIT");
  if (!s.ok()) return s;
  return report;
}

}  // namespace ordo::engine
