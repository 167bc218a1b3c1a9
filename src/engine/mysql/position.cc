#include "engine/mysql/position.h"

#include <cstdlib>

namespace ordo {
namespace {

uint64_t FileNumber(const std::string& file) {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos) return 0;
  return std::strtoull(file.c_str() + dot + 1, nullptr, 10);
}

}  // namespace

int ComparePositions(const BinlogPosition& a, const BinlogPosition& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  uint64_t fa = FileNumber(a.file), fb = FileNumber(b.file);
  if (fa != fb) return fa < fb ? -1 : 1;
  if (a.offset != b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

std::string PositionString(const BinlogPosition& p) {
  return p.file + ":" + std::to_string(p.offset);
}

}  // namespace ordo
