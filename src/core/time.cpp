// RFC 3339 parsing and second-precision formatting (UTC).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "kfix/core.hpp"

namespace kfix {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

Status Bad(std::string_view text, std::size_t pos, const std::string& cause) {
  return InvalidArgumentError("invalid RFC 3339 time " + JsonQuote(text) + " at offset " + std::to_string(pos) +
                              ": " + cause + " (expected e.g. 2026-04-20T10:00:00Z)");
}

}  // namespace

Result<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](std::size_t n, int* out, const char* what) -> Status {
    int v = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return Bad(s, i, std::string("expected a digit of the ") + what);
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return Status();
  };
  auto expect = [&](char c, const char* what) -> Status {
    if (i >= s.size() || s[i] != c) return Bad(s, i, std::string("expected '") + c + "' " + what);
    ++i;
    return Status();
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  KFIX_RETURN_IF_ERROR(digits(4, &year, "year"));
  KFIX_RETURN_IF_ERROR(expect('-', "after the year"));
  KFIX_RETURN_IF_ERROR(digits(2, &month, "month"));
  KFIX_RETURN_IF_ERROR(expect('-', "after the month"));
  KFIX_RETURN_IF_ERROR(digits(2, &day, "day"));
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return Bad(s, i, "expected 'T' before the time");
  ++i;
  KFIX_RETURN_IF_ERROR(digits(2, &hour, "hour"));
  KFIX_RETURN_IF_ERROR(expect(':', "after the hour"));
  KFIX_RETURN_IF_ERROR(digits(2, &minute, "minute"));
  KFIX_RETURN_IF_ERROR(expect(':', "after the minute"));
  KFIX_RETURN_IF_ERROR(digits(2, &second, "second"));
  std::int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    std::int64_t scale = 100000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      micros += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return Bad(s, i, "expected digits after '.'");
  }
  int offset_minutes = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh = 0, om = 0;
    KFIX_RETURN_IF_ERROR(digits(2, &oh, "offset hour"));
    KFIX_RETURN_IF_ERROR(expect(':', "in the offset"));
    KFIX_RETURN_IF_ERROR(digits(2, &om, "offset minute"));
    if (oh > 23 || om > 59) return Bad(s, i - 5, "offset out of range");
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return Bad(s, i, "expected 'Z' or a ±HH:MM offset");
  }
  if (i != s.size()) return Bad(s, i, "unexpected trailing characters");
  if (month < 1 || month > 12) return Bad(s, 5, "month out of range");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
    return Bad(s, 8, "day out of range for the month");
  }
  if (hour > 23) return Bad(s, 11, "hour out of range");
  if (minute > 59) return Bad(s, 14, "minute out of range");
  if (second > 60) return Bad(s, 17, "second out of range");
  if (second == 60) second = 59;  // leap second: folded
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(secs) + std::chrono::microseconds(micros)));
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  std::int64_t secs = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem % 3600 / 60),
                static_cast<long long>(rem % 60));
  return buf;
}

}  // namespace kfix
