#include "binlog/temporal.h"

#include <array>
#include <chrono>
#include <cstdint>

namespace ordo::binlog {
namespace {

constexpr std::array<uint64_t, 7> kPow10 = {1, 10, 100, 1000, 10000, 100000, 1000000};

struct Moment {
  bool negative = false;
  uint64_t year = 0, month = 0, day = 0;
  uint64_t hour = 0, minute = 0, second = 0;
  uint64_t micros = 0;
};

char* Put(uint64_t value, int digits, char* out) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + digits;
}

// ".fff" with `fsp` digits (nothing for fsp 0).
char* PutFraction(uint64_t micros, int fsp, char* out) {
  if (fsp == 0) return out;
  *out++ = '.';
  return Put(micros / kPow10[6 - fsp], fsp, out);
}

char* PutDate(const Moment& m, char* out) {
  out = Put(m.year, 4, out);
  *out++ = '-';
  out = Put(m.month, 2, out);
  *out++ = '-';
  return Put(m.day, 2, out);
}

char* PutClock(const Moment& m, int fsp, char* out) {
  out = Put(m.hour, m.hour >= 100 ? 3 : 2, out);
  *out++ = ':';
  out = Put(m.minute, 2, out);
  *out++ = ':';
  out = Put(m.second, 2, out);
  return PutFraction(m.micros, fsp, out);
}

bool EmitDateTime(const Moment& m, int fsp, std::string& out) {
  if (m.year > 9999 || m.month > 12 || m.day > 31 || m.hour > 23 || m.minute > 59 || m.second > 59)
    return false;
  std::array<char, 32> buf{};
  char* p = PutDate(m, buf.data());
  *p++ = ' ';
  p = PutClock(m, fsp, p);
  out.assign(buf.data(), static_cast<size_t>(p - buf.data()));
  return true;
}

bool EmitTime(const Moment& m, int fsp, std::string& out) {
  if (m.hour > 999 || m.minute > 59 || m.second > 59) return false;
  std::array<char, 32> buf{};
  char* p = buf.data();
  if (m.negative) *p++ = '-';
  p = PutClock(m, fsp, p);
  out.assign(buf.data(), static_cast<size_t>(p - buf.data()));
  return true;
}

// Bytes of the fraction in the TIME2/DATETIME2/TIMESTAMP2 formats, and the
// microseconds one unit of it is worth.
size_t FractionBytes(int fsp) { return static_cast<size_t>((fsp + 1) / 2); }
uint64_t FractionUnitMicros(size_t bytes) { return bytes == 1 ? 10000 : bytes == 2 ? 100 : 1; }

// Reads an offset-binary big-endian value of `int_bytes + frac_bytes` bytes: the
// magnitude's integer part (above the fraction bytes) and fraction, and its sign.
bool TakeOffsetBinary(ByteReader& in, size_t int_bytes, size_t frac_bytes, bool* negative,
                      uint64_t* int_part, uint64_t* frac_part) {
  uint64_t raw;
  size_t total = int_bytes + frac_bytes;
  if (!in.TakeBig(total, &raw)) return false;
  int64_t value = static_cast<int64_t>(raw - (uint64_t{0x80} << (8 * (total - 1))));
  *negative = value < 0;
  uint64_t magnitude = *negative ? static_cast<uint64_t>(-value) : static_cast<uint64_t>(value);
  *int_part = magnitude >> (8 * frac_bytes);
  *frac_part = magnitude & ((uint64_t{1} << (8 * frac_bytes)) - 1);
  return true;
}

bool EmitEpochSeconds(uint64_t seconds, uint64_t micros, int fsp, std::string& out) {
  Moment m;
  if (seconds != 0) {  // 0 is the zero timestamp, shown as 0000-00-00 00:00:00
    using namespace std::chrono;
    sys_seconds at{std::chrono::seconds(static_cast<int64_t>(seconds))};
    auto day = floor<days>(at);
    year_month_day ymd{day};
    hh_mm_ss clock{at - day};
    m.year = static_cast<uint64_t>(static_cast<int>(ymd.year()));
    m.month = static_cast<unsigned>(ymd.month());
    m.day = static_cast<unsigned>(ymd.day());
    m.hour = static_cast<uint64_t>(clock.hours().count());
    m.minute = static_cast<uint64_t>(clock.minutes().count());
    m.second = static_cast<uint64_t>(clock.seconds().count());
  }
  m.micros = micros;
  return EmitDateTime(m, fsp, out);
}

}  // namespace

bool DecodeDate(ByteReader& in, std::string& out) {
  uint64_t v;
  if (!in.TakeLittle(3, &v)) return false;
  Moment m;
  m.day = v & 31;
  m.month = (v >> 5) & 15;
  m.year = v >> 9;
  if (m.month > 12) return false;
  std::array<char, 16> buf{};
  char* p = PutDate(m, buf.data());
  out.assign(buf.data(), static_cast<size_t>(p - buf.data()));
  return true;
}

bool DecodeYear(ByteReader& in, std::string& out) {
  uint64_t v;
  if (!in.TakeLittle(1, &v)) return false;
  std::array<char, 4> buf{};
  Put(v == 0 ? 0 : 1900 + v, 4, buf.data());
  out.assign(buf.data(), buf.size());
  return true;
}

bool DecodeTime2(ByteReader& in, int fsp, std::string& out) {
  size_t fb = FractionBytes(fsp);
  Moment m;
  uint64_t hms, frac;
  if (!TakeOffsetBinary(in, 3, fb, &m.negative, &hms, &frac)) return false;
  m.hour = (hms >> 12) & 0x3FF;
  m.minute = (hms >> 6) & 0x3F;
  m.second = hms & 0x3F;
  m.micros = frac * FractionUnitMicros(fb);
  return EmitTime(m, fsp, out);
}

bool DecodeDateTime2(ByteReader& in, int fsp, std::string& out) {
  size_t fb = FractionBytes(fsp);
  Moment m;
  uint64_t packed, frac;
  if (!TakeOffsetBinary(in, 5, fb, &m.negative, &packed, &frac) || m.negative) return false;
  uint64_t ymd = packed >> 17, hms = packed & 0x1FFFF;
  m.day = ymd & 31;
  m.month = (ymd >> 5) % 13;
  m.year = (ymd >> 5) / 13;
  m.hour = hms >> 12;
  m.minute = (hms >> 6) & 0x3F;
  m.second = hms & 0x3F;
  m.micros = frac * FractionUnitMicros(fb);
  return EmitDateTime(m, fsp, out);
}

bool DecodeTimestamp2(ByteReader& in, int fsp, std::string& out) {
  size_t fb = FractionBytes(fsp);
  uint64_t seconds, frac = 0;
  if (!in.TakeBig(4, &seconds) || (fb > 0 && !in.TakeBig(fb, &frac))) return false;
  return EmitEpochSeconds(seconds, frac * FractionUnitMicros(fb), fsp, out);
}

bool DecodeLegacyTime(ByteReader& in, int fsp, std::string& out) {
  Moment m;
  if (fsp == 0) {  // 3 bytes, little-endian signed HHMMSS
    uint64_t raw;
    if (!in.TakeLittle(3, &raw)) return false;
    int64_t v = static_cast<int64_t>(raw << 40) >> 40;
    m.negative = v < 0;
    uint64_t a = static_cast<uint64_t>(m.negative ? -v : v);
    m.hour = a / 10000;
    m.minute = a / 100 % 100;
    m.second = a % 100;
    return EmitTime(m, 0, out);
  }
  // Big-endian count of 10^-fsp seconds, offset by 839 hours.
  static constexpr std::array<size_t, 7> kBytes = {3, 4, 4, 5, 5, 5, 6};
  uint64_t raw;
  if (!in.TakeBig(kBytes[fsp], &raw)) return false;
  auto value = static_cast<int64_t>(raw) - static_cast<int64_t>(3020400 * kPow10[fsp]);
  m.negative = value < 0;
  uint64_t a = static_cast<uint64_t>(m.negative ? -value : value);
  uint64_t seconds = a / kPow10[fsp];
  m.micros = (a % kPow10[fsp]) * kPow10[6 - fsp];
  m.hour = seconds / 3600;
  m.minute = seconds / 60 % 60;
  m.second = seconds % 60;
  return EmitTime(m, fsp, out);
}

bool DecodeLegacyDateTime(ByteReader& in, int fsp, std::string& out) {
  Moment m;
  if (fsp == 0) {  // 8 bytes, little-endian YYYYMMDDhhmmss
    uint64_t v;
    if (!in.TakeLittle(8, &v)) return false;
    m.second = v % 100;
    m.minute = v / 100 % 100;
    m.hour = v / 10000 % 100;
    m.day = v / 1000000 % 100;
    m.month = v / 100000000 % 100;
    m.year = v / 10000000000;
    return EmitDateTime(m, 0, out);
  }
  // Big-endian count of 10^-fsp seconds in MariaDB's packed calendar.
  static constexpr std::array<size_t, 7> kBytes = {5, 6, 6, 7, 7, 7, 8};
  uint64_t raw;
  if (!in.TakeBig(kBytes[fsp], &raw)) return false;
  uint64_t packed = raw / kPow10[fsp];
  m.micros = (raw % kPow10[fsp]) * kPow10[6 - fsp];
  m.second = packed % 60;
  packed /= 60;
  m.minute = packed % 60;
  packed /= 60;
  m.hour = packed % 24;
  packed /= 24;
  m.day = packed % 32;
  packed /= 32;
  m.month = packed % 13;
  m.year = packed / 13;
  return EmitDateTime(m, fsp, out);
}

bool DecodeLegacyTimestamp(ByteReader& in, int fsp, std::string& out) {
  uint64_t seconds, frac = 0;
  if (fsp == 0) {
    if (!in.TakeLittle(4, &seconds)) return false;
    return EmitEpochSeconds(seconds, 0, 0, out);
  }
  static constexpr std::array<size_t, 7> kBytes = {0, 1, 1, 2, 2, 3, 3};
  if (!in.TakeBig(4, &seconds) || !in.TakeBig(kBytes[fsp], &frac)) return false;
  return EmitEpochSeconds(seconds, frac * kPow10[6 - fsp], fsp, out);
}

}  // namespace ordo::binlog
