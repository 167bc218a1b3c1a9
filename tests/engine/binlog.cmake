# The binlog reader's tests (label engine; the decoding unit tests also unit). The
# reader fetches on a thread of its own, so its server tests also run under TSan
# (concurrency). Included from tests/engine/CMakeLists.txt.
ordo_add_test(binlog_reader_test
  SOURCES
    binlog_test_support.cc
    binlog_numeric_types_test.cc
    binlog_temporal_types_test.cc
    binlog_string_types_test.cc
    binlog_roundtrip_test.cc
    binlog_reader_test.cc
    binlog_server_variants_test.cc
    binlog_throughput_test.cc
  LIBS ordo_binlog
  LABELS "engine;concurrency")

ordo_add_test(binlog_codec_test SOURCES binlog_codec_test.cc LIBS ordo_binlog LABELS "unit;engine")
