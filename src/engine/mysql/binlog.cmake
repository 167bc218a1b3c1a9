# ordo_binlog: change capture from the MariaDB/MySQL binlog (stream, row decoding,
# preflight). Included from src/engine/CMakeLists.txt; paths are relative to it.
find_package(ZLIB REQUIRED)  # CRC32 of binlog events

add_library(ordo_binlog
  mysql/binlog_catalog.cc
  mysql/binlog_column.cc
  mysql/binlog_decimal.cc
  mysql/binlog_fetcher.cc
  mysql/binlog_preflight.cc
  mysql/binlog_reader.cc
  mysql/binlog_rows.cc
  mysql/binlog_statement.cc
  mysql/binlog_temporal.cc
  mysql/binlog_value.cc
)
target_link_libraries(ordo_binlog PUBLIC ordo_db PRIVATE ZLIB::ZLIB Threads::Threads)
