#include "store/sql/datetime.h"

#include <charconv>
#include <cstdio>

namespace ordo::sqlstore {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Micros> ParseDatetime(std::string_view text) {
  // YYYY-MM-DD HH:MM:SS[.f{1,6}]
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':')
    return Internal("unexpected DATETIME text: " + std::string(text));
  int64_t y, mo, d, h, mi, s;
  if (!ParseInt(text.substr(0, 4), &y) || !ParseInt(text.substr(5, 2), &mo) ||
      !ParseInt(text.substr(8, 2), &d) || !ParseInt(text.substr(11, 2), &h) ||
      !ParseInt(text.substr(14, 2), &mi) || !ParseInt(text.substr(17, 2), &s))
    return Internal("unexpected DATETIME text: " + std::string(text));
  int64_t frac = 0;
  if (text.size() > 19) {
    std::string_view f = text.substr(20);
    if (text[19] != '.' || f.empty() || f.size() > 6 || !ParseInt(f, &frac))
      return Internal("unexpected DATETIME fraction: " + std::string(text));
    for (size_t k = f.size(); k < 6; ++k) frac *= 10;
  }
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + s) * 1'000'000) + frac;
}

std::string FormatDatetime(Micros micros) {
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02lld:%02lld:%02lld.%06lld",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60),
                static_cast<long long>(frac));
  return buf;
}

}  // namespace ordo::sqlstore
