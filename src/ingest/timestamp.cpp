#include "ingest/timestamp.hpp"

namespace ajs {

// H. Hinnant's algorithm; linear in d, so a day past the month's end counts on.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  auto const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
  auto const doe = static_cast<unsigned>(z - era * 146097);
  unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned const mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

struct cursor {
  std::string_view s;
  std::size_t i = 0;
  bool at_end() const { return i >= s.size(); }
  char peek() const { return at_end() ? '\0' : s[i]; }
  bool digits(unsigned n, unsigned& out) {
    out = 0;
    for (unsigned k = 0; k < n; ++k) {
      if (at_end() || s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + static_cast<unsigned>(s[i++] - '0');
    }
    return true;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
};

}  // namespace

std::optional<std::int64_t> parse_iso8601_ms(std::string_view text) {
  cursor c{text};
  unsigned year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!c.digits(4, year) || !c.take('-') || !c.digits(2, month) || !c.take('-') || !c.digits(2, day)) return {};
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return {};
  std::int64_t offset_minutes = 0;
  if (!c.at_end()) {
    if (!c.take('T') && !c.take('t') && !c.take(' ')) return {};
    if (!c.digits(2, hour) || !c.take(':') || !c.digits(2, minute)) return {};
    if (c.take(':')) {
      if (!c.digits(2, second)) return {};
      if (c.take('.') || c.take(',')) {
        unsigned scale = 100, digit, count = 0;
        while (c.digits(1, digit)) {
          millis += digit * scale;
          scale /= 10;
          ++count;
        }
        if (count == 0) return {};
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return {};  // 60: a leap second reads as :59 + 1 s
    if (c.take('Z') || c.take('z')) {
    } else if (c.peek() == '+' || c.peek() == '-') {
      int const sign = c.peek() == '-' ? -1 : 1;
      ++c.i;
      unsigned oh, om = 0;
      if (!c.digits(2, oh)) return {};
      if (c.take(':')) {
        if (!c.digits(2, om)) return {};
      } else if (!c.at_end()) {
        if (!c.digits(2, om)) return {};
      }
      if (oh > 23 || om > 59) return {};
      offset_minutes = sign * static_cast<std::int64_t>(oh * 60 + om);
    }
    if (!c.at_end()) return {};
  }
  std::int64_t const days = days_from_civil(year, month, day);
  std::int64_t const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

iso8601_text::iso8601_text(std::int64_t ms) {
  std::int64_t days = ms / 86400000, rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // As JavaScript's Date.prototype.toISOString writes it: a year outside 0000–9999 as ±YYYYYY
  // (a clock-skew correction with a far-off sentAt can land there). Written digit by digit into
  // this buffer: this runs for every message, and snprintf was 5 % of planning small events (perf,
  // session 10), a std::string's allocation one of its two allocations per event (session 11).
  char* out = text_;
  auto digits = [&out](std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
    out += n;
  };
  if (y < 0 || y > 9999) {
    *out++ = y < 0 ? '-' : '+';
    auto const year = static_cast<std::uint64_t>(y < 0 ? -y : y);
    int n = 6;  // at least six digits, as snprintf's %+07lld (more for an out-of-range clock)
    for (std::uint64_t v = year / 1000000; v != 0; v /= 10) ++n;
    digits(year, n);
  } else {
    digits(static_cast<std::uint64_t>(y), 4);
  }
  auto const time_of_day = static_cast<std::uint64_t>(rem);
  *out++ = '-';
  digits(m, 2);
  *out++ = '-';
  digits(d, 2);
  *out++ = 'T';
  digits(time_of_day / 3600000, 2);
  *out++ = ':';
  digits(time_of_day / 60000 % 60, 2);
  *out++ = ':';
  digits(time_of_day / 1000 % 60, 2);
  *out++ = '.';
  digits(time_of_day % 1000, 3);
  *out++ = 'Z';
  size_ = static_cast<std::size_t>(out - text_);
}

std::string format_iso8601_ms(std::int64_t ms) {
  iso8601_text const text(ms);
  return std::string(text.view());
}

}  // namespace ajs
