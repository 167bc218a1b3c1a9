#include "binlog/decimal.h"

#include <array>

#include "binlog/bytes.h"

namespace ordo::binlog {
namespace {

constexpr int kDigitsPerGroup = 9;
// Bytes used by a group of 0..9 decimal digits.
constexpr std::array<int, 10> kGroupBytes = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPowersOf10 = {1,      10,      100,      1000,      10000,
                                                  100000, 1000000, 10000000, 100000000, 1000000000};

// Writes `value` as exactly `digits` decimal digits (zero padded) at `out`.
char* PutDigits(uint32_t value, int digits, char* out) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + digits;
}

}  // namespace

size_t DecimalBinarySize(int precision, int scale) {
  int intg = precision - scale;
  return static_cast<size_t>((intg / kDigitsPerGroup) * 4 + kGroupBytes[intg % kDigitsPerGroup] +
                             (scale / kDigitsPerGroup) * 4 + kGroupBytes[scale % kDigitsPerGroup]);
}

bool DecodeDecimal(const uint8_t* p, int precision, int scale, std::string& out) {
  const int intg = precision - scale;
  const size_t size = DecimalBinarySize(precision, scale);
  std::array<uint8_t, 32> buf{};
  if (size == 0 || size > buf.size()) return false;
  for (size_t i = 0; i < size; ++i) buf[i] = p[i];
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  if (negative)
    for (size_t i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(~buf[i]);

  // Every digit, integer part then fraction, before trimming: at most 65.
  std::array<char, 72> digits{};
  char* d = digits.data();
  const uint8_t* in = buf.data();
  auto group = [&](int ndigits) {
    int nbytes = kGroupBytes[ndigits];
    auto value = static_cast<uint32_t>(LoadBig(in, static_cast<size_t>(nbytes)));
    in += nbytes;
    if (value >= kPowersOf10[ndigits]) return false;
    d = PutDigits(value, ndigits, d);
    return true;
  };
  if (intg % kDigitsPerGroup && !group(intg % kDigitsPerGroup)) return false;
  for (int i = 0; i < intg / kDigitsPerGroup; ++i)
    if (!group(kDigitsPerGroup)) return false;
  for (int i = 0; i < scale / kDigitsPerGroup; ++i)
    if (!group(kDigitsPerGroup)) return false;
  if (scale % kDigitsPerGroup && !group(scale % kDigitsPerGroup)) return false;

  const char* int_begin = digits.data();
  const char* int_end = digits.data() + intg;
  while (int_begin < int_end && *int_begin == '0') ++int_begin;
  bool zero = int_begin == int_end;
  for (const char* f = int_end; zero && f < d; ++f) zero = *f == '0';

  std::array<char, 72> text{};
  char* t = text.data();
  if (negative && !zero) *t++ = '-';
  if (int_begin == int_end) *t++ = '0';
  for (const char* c = int_begin; c < int_end; ++c) *t++ = *c;
  if (scale > 0) {
    *t++ = '.';
    for (const char* c = int_end; c < d; ++c) *t++ = *c;
  }
  out.assign(text.data(), static_cast<size_t>(t - text.data()));
  return true;
}

}  // namespace ordo::binlog
