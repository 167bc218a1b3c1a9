// DECIMAL values in their binary row-image format.
//
// The server stores DECIMAL(p,s) as big-endian groups of nine decimal digits (four
// bytes each), with a shorter group for the leftover leading integer digits and the
// leftover trailing fraction digits. The top bit of the first byte is the sign
// (set for positive); negative values have every byte inverted. Decoding gives the
// exact text the server prints: no leading zeros, exactly s fraction digits.
//
// Thread-safety: pure functions.
//
//   std::string text;
//   DecodeDecimal(bytes, 5, 2, text);  // "-1.50"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ordo::binlog {

// Bytes DECIMAL(precision, scale) occupies in a row image (precision 1..65).
size_t DecimalBinarySize(int precision, int scale);

// Decodes the DecimalBinarySize(precision, scale) bytes at `p` into `out`, e.g.
// "-123.4500". False when a digit group is out of range (corrupt bytes).
bool DecodeDecimal(const uint8_t* p, int precision, int scale, std::string& out);

}  // namespace ordo::binlog
