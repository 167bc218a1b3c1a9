#include "binlog/catalog.h"

#include <mysql.h>

#include <charconv>
#include <initializer_list>
#include <string_view>

namespace ordo::binlog {
namespace {

bool OneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options)
    if (s == o) return true;
  return false;
}

// The binlog types a column of information_schema DATA_TYPE `t` may be logged as;
// empty when the reader does not support the type.
std::vector<uint8_t> ExpectedTypes(std::string_view t) {
  if (t == "tinyint") return {MYSQL_TYPE_TINY};
  if (t == "smallint") return {MYSQL_TYPE_SHORT};
  if (t == "mediumint") return {MYSQL_TYPE_INT24};
  if (t == "int") return {MYSQL_TYPE_LONG};
  if (t == "bigint") return {MYSQL_TYPE_LONGLONG};
  if (t == "float") return {MYSQL_TYPE_FLOAT};
  if (t == "double") return {MYSQL_TYPE_DOUBLE};
  if (t == "decimal") return {MYSQL_TYPE_NEWDECIMAL};
  if (t == "date") return {MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE};
  if (t == "time") return {MYSQL_TYPE_TIME2, MYSQL_TYPE_TIME};
  if (t == "datetime") return {MYSQL_TYPE_DATETIME2, MYSQL_TYPE_DATETIME};
  if (t == "timestamp") return {MYSQL_TYPE_TIMESTAMP2, MYSQL_TYPE_TIMESTAMP};
  if (t == "year") return {MYSQL_TYPE_YEAR};
  if (t == "char" || t == "binary") return {MYSQL_TYPE_STRING};
  if (t == "varchar" || t == "varbinary") return {MYSQL_TYPE_VARCHAR};
  if (OneOf(t, {"tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob",
                "longblob", "json"}))
    return {MYSQL_TYPE_BLOB};
  if (t == "enum") return {MYSQL_TYPE_ENUM};
  if (t == "set") return {MYSQL_TYPE_SET};
  if (t == "bit") return {MYSQL_TYPE_BIT};
  if (OneOf(t, {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                "multipolygon", "geometrycollection"}))
    return {MYSQL_TYPE_GEOMETRY};
  return {};
}

int BlobLengthBytes(std::string_view t) {
  if (t == "tinytext" || t == "tinyblob") return 1;
  if (t == "text" || t == "blob") return 2;
  if (t == "mediumtext" || t == "mediumblob") return 3;
  return 4;
}

Status Mismatch(const BinlogTable& table, const CatalogColumn& c, const BinlogColumn& b,
                std::string_view detail) {
  return FailedPrecondition(db::QuoteTable(table.schema_name, table.table_name) + " column " +
                            db::QuoteIdentifier(c.name) + " is " + c.column_type +
                            " now but binlog type " + std::string(BinlogTypeName(b.type)) + " " +
                            std::string(detail) +
                            " in its events: the table changed after they were written");
}

template <typename T>
T ParseNumber(const std::optional<std::string>& text) {
  T value{};
  if (text) std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

}  // namespace

Status ApplyCatalog(const std::vector<CatalogColumn>& catalog, BinlogTable& table) {
  if (catalog.size() != table.columns.size())
    return FailedPrecondition(db::QuoteTable(table.schema_name, table.table_name) + " has " +
                              std::to_string(catalog.size()) + " columns now but " +
                              std::to_string(table.columns.size()) +
                              " in its binlog events: the table changed after they were written");
  for (size_t i = 0; i < catalog.size(); ++i) {
    const CatalogColumn& c = catalog[i];
    BinlogColumn& b = table.columns[i];
    b.name = c.name;
    std::vector<uint8_t> expected = ExpectedTypes(c.data_type);
    if (expected.empty())
      return FailedPrecondition(db::QuoteTable(table.schema_name, table.table_name) + " column " +
                                db::QuoteIdentifier(c.name) + " has type " + c.column_type +
                                ", which the binlog reader does not support");
    bool type_ok = false;
    for (uint8_t t : expected) type_ok = type_ok || t == b.type;
    if (!type_ok) return Mismatch(table, c, b, "");
    switch (b.type) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG:
        b.is_unsigned = c.column_type.find("unsigned") != std::string::npos;
        break;
      case MYSQL_TYPE_NEWDECIMAL:
        if (b.precision != c.numeric_precision || b.scale != c.numeric_scale)
          return Mismatch(table, c, b,
                          "(" + std::to_string(b.precision) + "," + std::to_string(b.scale) + ")");
        break;
      case MYSQL_TYPE_TIME2:
      case MYSQL_TYPE_DATETIME2:
      case MYSQL_TYPE_TIMESTAMP2:
        if (b.fsp != c.datetime_precision)
          return Mismatch(table, c, b, "(" + std::to_string(b.fsp) + ")");
        break;
      case MYSQL_TYPE_TIME:
      case MYSQL_TYPE_DATETIME:
      case MYSQL_TYPE_TIMESTAMP:
        if (c.datetime_precision < 0 || c.datetime_precision > 6)
          return Mismatch(table, c, b, "with bad precision");
        b.fsp = static_cast<uint8_t>(c.datetime_precision);
        break;
      case MYSQL_TYPE_STRING:
      case MYSQL_TYPE_VARCHAR:
        if (b.max_bytes != c.octet_length)
          return Mismatch(table, c, b, "of " + std::to_string(b.max_bytes) + " bytes");
        if (c.data_type == "binary") b.pad_to = static_cast<uint32_t>(c.octet_length);
        break;
      case MYSQL_TYPE_BLOB:
        if (b.length_bytes != BlobLengthBytes(c.data_type))
          return Mismatch(table, c, b, "with a " + std::to_string(b.length_bytes) + "-byte length");
        break;
      case MYSQL_TYPE_BIT:
        if (b.bits != c.numeric_precision)
          return Mismatch(table, c, b, "of " + std::to_string(b.bits) + " bits");
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

BinlogCatalog::BinlogCatalog(db::Dsn dsn, db::MysqlConnectOptions options)
    : dsn_(std::move(dsn)), options_(std::move(options)) {}

BinlogCatalog::~BinlogCatalog() = default;

Result<std::vector<CatalogColumn>> BinlogCatalog::Columns(const std::string& schema,
                                                          const std::string& table) {
  if (conn_ && conn_->broken()) conn_.reset();
  if (!conn_) {
    ORDO_ASSIGN_OR_RETURN(conn_, db::MysqlConnection::Connect(dsn_, options_));
  }
  ++lookups_;
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn_->Query("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_OCTET_LENGTH, "
                   "NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION "
                   "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                   "ORDER BY ORDINAL_POSITION",
                   {db::SqlValue::Text(schema), db::SqlValue::Text(table)}));
  if (rows.rows.empty())
    return NotFound("table " + db::QuoteTable(schema, table) + " does not exist");
  std::vector<CatalogColumn> columns;
  columns.reserve(rows.rows.size());
  for (const db::SqlRow& r : rows.rows) {
    CatalogColumn& c = columns.emplace_back();
    c.name = r[0].value_or("");
    c.data_type = r[1].value_or("");
    c.column_type = r[2].value_or("");
    c.octet_length = ParseNumber<uint64_t>(r[3]);
    c.numeric_precision = ParseNumber<int>(r[4]);
    c.numeric_scale = ParseNumber<int>(r[5]);
    c.datetime_precision = ParseNumber<int>(r[6]);
  }
  return columns;
}

}  // namespace ordo::binlog
