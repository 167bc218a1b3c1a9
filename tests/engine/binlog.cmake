# The binlog reader's tests (label engine; the decoding unit tests also unit).
# Included from tests/engine/CMakeLists.txt.
ordo_add_test(binlog_codec_test SOURCES binlog_codec_test.cc LIBS ordo_binlog LABELS "unit;engine")
