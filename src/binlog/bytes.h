// Bounds-checked reading of binlog event bytes.
//
// The event framing and most column values are little-endian; DECIMAL and the
// fractional temporal formats (TIME2, DATETIME2, TIMESTAMP2) are big-endian so that
// their bytes sort like their values. Every read checks the remaining length first:
// a short event is reported by the caller as corrupt instead of read past its end.
//
// Thread-safety: a cursor over bytes the caller owns; one thread at a time.
//
//   ByteReader in(data, size);
//   uint64_t id;
//   if (!in.TakeLittle(4, &id)) return Corrupt("short row");
#pragma once

#include <cstddef>
#include <cstdint>

namespace ordo::binlog {

// The n (1..8) bytes at p as an unsigned little-endian / big-endian integer.
inline uint64_t LoadLittle(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i > 0; --i) v = (v << 8) | p[i - 1];
  return v;
}
inline uint64_t LoadBig(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : pos_(data), end_(data + size) {}

  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool empty() const { return pos_ == end_; }

  // Each Take/Skip consumes n bytes and returns true, or returns false and consumes
  // nothing when fewer than n bytes remain.
  bool Skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  bool TakeBytes(size_t n, const uint8_t** out) {
    if (remaining() < n) return false;
    *out = pos_;
    pos_ += n;
    return true;
  }
  bool TakeLittle(size_t n, uint64_t* out) {
    if (remaining() < n) return false;
    *out = LoadLittle(pos_, n);
    pos_ += n;
    return true;
  }
  bool TakeBig(size_t n, uint64_t* out) {
    if (remaining() < n) return false;
    *out = LoadBig(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  const uint8_t* pos_;
  const uint8_t* end_;
};

}  // namespace ordo::binlog
