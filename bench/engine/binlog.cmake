# The binlog reader's decode benchmark. Included from bench/engine/CMakeLists.txt.
find_package(benchmark REQUIRED)
add_executable(binlog_decode binlog_decode_bench.cc)
target_link_libraries(binlog_decode PRIVATE ordo_binlog ordo_internals benchmark::benchmark)
