#include "ingest/segment_dates.hpp"

#include <cmath>
#include <cstring>

#include "ingest/timestamp.hpp"
#include "json/json_writer.hpp"

namespace ajs {

namespace {

// ---- The two facts Segment's modules leave to the JavaScript runtime: decided here alone. ----

// Date.prototype.getTimezoneOffset() of the process. isodate reads "YYYY-MM-DD HH:MM" (a space,
// no zone) in local time (`offset = new Date().getTimezoneOffset()`), and `new Date(string)` reads
// zoneless dates in it too. Segment's servers' zone is not published; Workers run in UTC, and so
// is it read here: 0. (A non-zero value would be added to the minutes, as isodate adds it.)
constexpr std::int64_t local_zone_offset_minutes = 0;

// new-date's last resort is `new Date(string)`, whose reading of anything but ISO-8601 is left to
// the engine. Read here: the two forms V8 reads and the web writes (js_date_parse below). Any
// other string reads as an Invalid Date (a timestamp then falls back to receivedAt).

// ---- JavaScript's Date arithmetic (ECMA-262 MakeDay, MakeTime, MakeDate, TimeClip). ----

constexpr double max_time = 8.64e15;  // ms either side of the epoch a Date can hold

js_date time_clip(double t) {
  if (!std::isfinite(t) || std::fabs(t) > max_time) return std::nullopt;
  return static_cast<std::int64_t>(std::trunc(t));
}

// MakeDate(MakeDay(year, month, day), MakeTime(...)): `month` (≥ 0) counts from 0 and rolls into
// the years (12 is January of the next); `day` from 1 rolls into the months; times into days.
js_date make_date(std::int64_t year, std::int64_t month, std::int64_t day, std::int64_t hour, std::int64_t minute,
                  std::int64_t second, std::int64_t ms) {
  std::int64_t const days = days_from_civil(year + month / 12, static_cast<unsigned>(month % 12 + 1), 1) + day - 1;
  return time_clip(static_cast<double>(days * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + ms));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool digits_at(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return false;
  for (std::size_t k = i; k < i + n; ++k)
    if (!is_digit(s[k])) return false;
  return true;
}

std::int64_t number_at(std::string_view s, std::size_t i, std::size_t n) {
  std::int64_t v = 0;
  for (std::size_t k = i; k < i + n; ++k) v = v * 10 + (s[k] - '0');
  return v;
}

// ---- @segment/isodate 1.0.3 lib/index.js ----
// matcher = /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:([ T])(\d{2}):?(\d{2})(?::?(\d{2})(?:[,\.](\d{1,}))?)?
//            (?:(Z)|([+\-])(\d{2})(?::?(\d{2}))?)?)?$/
// Matched left to right, each optional part taken when it fits: where a part does not fit, what
// is left cannot match what may follow it either, so the regex's backtracking finds nothing more.
struct isodate_fields {
  std::int64_t year = 0, month = 0, day = 0;  // month and day 0 when absent
  char separator = 0;                         // ' ', 'T' or 0
  std::int64_t hour = 0, minute = 0, second = 0, millis = 0;
  char zone = 0;  // 'Z', '+', '-' or 0
  std::int64_t zone_hours = 0, zone_minutes = 0;
};

std::optional<isodate_fields> match_isodate(std::string_view s) {
  isodate_fields f;
  if (!digits_at(s, 0, 4)) return std::nullopt;
  f.year = number_at(s, 0, 4);
  std::size_t i = 4;
  auto const optional_char = [&](std::size_t at, char c) { return at + (at < s.size() && s[at] == c ? 1 : 0); };
  if (std::size_t j = optional_char(i, '-'); digits_at(s, j, 2)) {  // (?:-?(\d{2})(?:-?(\d{2}))?)?
    f.month = number_at(s, j, 2);
    i = j + 2;
    if (std::size_t k = optional_char(i, '-'); digits_at(s, k, 2)) {
      f.day = number_at(s, k, 2);
      i = k + 2;
    }
  }
  if (i < s.size() && (s[i] == ' ' || s[i] == 'T')) {  // ([ T])(\d{2}):?(\d{2})
    f.separator = s[i];
    if (!digits_at(s, i + 1, 2)) return std::nullopt;
    f.hour = number_at(s, i + 1, 2);
    i = optional_char(i + 3, ':');
    if (!digits_at(s, i, 2)) return std::nullopt;
    f.minute = number_at(s, i, 2);
    i += 2;
    if (std::size_t j = optional_char(i, ':'); digits_at(s, j, 2)) {  // (?::?(\d{2})(?:[,\.](\d{1,}))?)?
      f.second = number_at(s, j, 2);
      i = j + 2;
      if (i + 1 < s.size() && (s[i] == ',' || s[i] == '.') && is_digit(s[i + 1])) {
        // (arr[8] + '00').substring(0, 3): the first three digits, padded.
        std::size_t k = i + 1;
        for (std::int64_t scale = 100; k < s.size() && is_digit(s[k]); ++k, scale /= 10)
          f.millis += (s[k] - '0') * scale;
        i = k;
      }
    }
    if (i < s.size() && s[i] == 'Z') {  // (?:(Z)|([+\-])(\d{2})(?::?(\d{2}))?)?
      f.zone = 'Z';
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-') && digits_at(s, i + 1, 2)) {
      f.zone = s[i];
      f.zone_hours = number_at(s, i + 1, 2);
      i += 3;
      if (std::size_t j = optional_char(i, ':'); digits_at(s, j, 2)) {
        f.zone_minutes = number_at(s, j, 2);
        i = j + 2;
      }
    }
  }
  if (i != s.size()) return std::nullopt;  // $
  return f;
}

// ---- new-date 1.0.3: lib/milliseconds.js (/\d{13}/) and lib/seconds.js (/\d{10}/) ----

bool has_digit_run(std::string_view s, std::size_t n) {
  std::size_t run = 0;
  for (char c : s)
    if ((run = is_digit(c) ? run + 1 : 0) == n) return true;
  return false;
}

// Length of the JavaScript white space or line terminator (TrimString's set) that starts `s`, or 0.
std::size_t js_space_at(std::string_view s) {
  auto const b = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  unsigned const c0 = b(0);
  if (c0 == 0x20 || (c0 >= 0x09 && c0 <= 0x0D)) return 1;
  if (c0 == 0xC2 && b(1) == 0xA0) return 2;                  // U+00A0
  if (c0 == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
  if (c0 == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
    return 3;                                                // U+2000–200A, U+2028, U+2029, U+202F
  if (c0 == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c0 == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  if (c0 == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

// parseInt(s, 10): white space skipped, a sign, the longest run of digits; NaN without one.
// Values past any Date's range (≥ 1e16) read as infinity: exact below it, where Dates are.
std::optional<double> js_parse_int(std::string_view s) {
  while (std::size_t n = js_space_at(s)) s.remove_prefix(n);
  double sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) break;
    v = v * 10 + (c - '0');
    if (v >= 10'000'000'000'000'000) return sign * HUGE_VAL;
  }
  return sign * static_cast<double>(v);
}

// ---- `new Date(string)`: the subset read (see the top of this file) ----
// 1. RFC 2822 as Date.prototype.toUTCString writes it: "[Www, ]D[D] Mon YYYY HH:MM[:SS][ zone]",
//    zone GMT, UT, UTC, Z or ±HHMM (V8 takes ±HHMM as hours·60 + minutes, unchecked);
// 2. "M[M]/D[D]/YYYY[ HH:MM[:SS]]" (V8's legacy form).
// Without a zone, local time. As V8's legacy parser: years 0–49 are 2000–2049 and 50–99 are
// 1950–1999; day 1–31 whatever the month (31 Feb rolls into March); hours 0–23, or 24 with zero
// minutes and seconds; minutes and seconds 0–59.

constexpr std::string_view weekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct legacy_cursor {
  std::string_view s;
  std::size_t i = 0;
  bool take(std::string_view t) {
    if (s.substr(i, t.size()) != t) return false;
    i += t.size();
    return true;
  }
  // 1 to `most` digits.
  bool number(std::size_t most, std::int64_t& out) {
    std::size_t n = 0;
    while (n < most && digits_at(s, i + n, 1)) ++n;
    if (n == 0) return false;
    out = number_at(s, i, n);
    i += n;
    return true;
  }
  bool exactly(std::size_t n, std::int64_t& out) {
    if (!digits_at(s, i, n)) return false;
    out = number_at(s, i, n);
    i += n;
    return true;
  }
  bool done() const { return i == s.size(); }
};

struct legacy_time {
  std::int64_t hour = 0, minute = 0, second = 0;
};

// HH:MM[:SS]
bool take_time(legacy_cursor& c, legacy_time& t) {
  if (!c.exactly(2, t.hour) || !c.take(":") || !c.exactly(2, t.minute)) return false;
  if (c.take(":") && !c.exactly(2, t.second)) return false;
  if (t.minute > 59 || t.second > 59) return false;
  return t.hour < 24 || (t.hour == 24 && t.minute == 0 && t.second == 0);
}

js_date legacy_date(std::int64_t year, std::int64_t month, std::int64_t day, legacy_time const& t,
                    std::int64_t offset_minutes) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (year <= 49)
    year += 2000;
  else if (year <= 99)
    year += 1900;
  return make_date(year, month - 1, day, t.hour, t.minute + offset_minutes, t.second, 0);
}

js_date rfc2822_date(std::string_view s) {
  legacy_cursor c{s};
  for (auto w : weekdays)
    if (c.take(w)) {
      if (!c.take(", ")) return std::nullopt;
      break;
    }
  std::int64_t day, month = 0, year;
  legacy_time t;
  if (!c.number(2, day) || !c.take(" ")) return std::nullopt;
  for (std::size_t m = 0; m < std::size(months) && month == 0; ++m)
    if (c.take(months[m])) month = static_cast<std::int64_t>(m) + 1;
  if (month == 0 || !c.take(" ") || !c.exactly(4, year) || !c.take(" ") || !take_time(c, t)) return std::nullopt;
  std::int64_t offset = local_zone_offset_minutes;
  if (c.take(" ")) {
    if (c.take("GMT") || c.take("UTC") || c.take("UT") || c.take("Z")) {
      offset = 0;
    } else {
      bool const ahead = c.take("+");
      std::int64_t hhmm;
      if (!(ahead || c.take("-")) || !c.exactly(4, hhmm)) return std::nullopt;
      offset = (ahead ? -1 : 1) * (hhmm / 100 * 60 + hhmm % 100);  // as getTimezoneOffset counts
    }
  }
  if (!c.done()) return std::nullopt;
  return legacy_date(year, month, day, t, offset);
}

js_date slash_date(std::string_view s) {
  legacy_cursor c{s};
  std::int64_t month, day, year;
  legacy_time t;
  if (!c.number(2, month) || !c.take("/") || !c.number(2, day) || !c.take("/") || !c.exactly(4, year))
    return std::nullopt;
  if (c.take(" ") && !take_time(c, t)) return std::nullopt;
  if (!c.done()) return std::nullopt;
  return legacy_date(year, month, day, t, local_zone_offset_minutes);
}

js_date js_date_parse(std::string_view s) {
  if (!s.empty() && is_digit(s[0]) && s.find('/') != s.npos) return slash_date(s);
  return rfc2822_date(s);
}

// ---- isodate-traverse ----

// "YYYY-MM-DDTHH:MM:SS.mmmZ" that isodate.parse reads back as itself: what normalization writes,
// checked without parsing (years 0000–0099 are not: Date.UTC reads them as 1900–1999).
bool is_canonical_iso(std::string_view s) {
  static constexpr char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != sizeof shape - 1) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i]) return false;
  std::int64_t const year = number_at(s, 0, 4), month = number_at(s, 5, 2), day = number_at(s, 8, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  static constexpr std::int64_t month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool const leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > (month == 2 && leap ? 29 : month_days[month - 1])) return false;
  return number_at(s, 11, 2) <= 23 && number_at(s, 14, 2) <= 59 && number_at(s, 17, 2) <= 59;
}

// Strings isodate-traverse surely keeps: strict needs a digit first and "-" at 4, so at least 10
// bytes. The test made of every string value of a message, inline.
inline bool surely_kept(std::string_view s) { return s.size() < 10 || !is_digit(s[0]) || s[4] != '-'; }

// Whether isodate-traverse leaves `s` a string that reads as it is: the cheap tests first, then
// the canonical form.
bool traverse_keeps(std::string_view s) { return surely_kept(s) || is_canonical_iso(s) || !isodate_is(s, true); }

}  // namespace

bool isodate_is(std::string_view s, bool strict) {
  // strict: /^\d{4}-\d{2}-\d{2}/ too
  if (strict &&
      !(s.size() >= 10 && digits_at(s, 0, 4) && s[4] == '-' && digits_at(s, 5, 2) && s[7] == '-' && digits_at(s, 8, 2)))
    return false;
  return match_isodate(s).has_value();
}

namespace {

// The instant isodate.parse makes of what match_isodate read.
js_date isodate_instant(isodate_fields const& f) {
  std::int64_t offset = 0;
  if (f.separator == ' ')
    offset = local_zone_offset_minutes;
  else if (f.zone == '+' || f.zone == '-')
    offset = (f.zone == '+' ? -1 : 1) * (f.zone_hours * 60 + f.zone_minutes);
  // Date.UTC: parseInt(…) || 1 for month and day (so "00" is 1), years 0–99 as 1900–1999.
  std::int64_t const year = f.year <= 99 ? 1900 + f.year : f.year;
  return make_date(year, (f.month ? f.month : 1) - 1, f.day ? f.day : 1, f.hour, f.minute + offset, f.second, f.millis);
}

}  // namespace

js_date isodate_parse(std::string_view s) {
  auto const f = match_isodate(s);
  return f ? isodate_instant(*f) : std::nullopt;
}

js_date new_date(double n) { return time_clip(n < 31557600000.0 ? n * 1000 : n); }

js_date new_date(std::string_view s) {
  // isodate.is(s) ? isodate.parse(s) : …, the text matched once
  if (auto const f = match_isodate(s)) return isodate_instant(*f);
  if (has_digit_run(s, 13)) {
    auto const ms = js_parse_int(s);
    return ms ? time_clip(*ms) : std::nullopt;
  }
  if (has_digit_run(s, 10)) {
    auto const seconds = js_parse_int(s);
    return seconds ? time_clip(*seconds * 1000) : std::nullopt;
  }
  return js_date_parse(s);
}

js_date new_date(boost::json::value const& v) {
  switch (v.kind()) {
    case boost::json::kind::string: return new_date(std::string_view(v.get_string()));
    case boost::json::kind::int64: return new_date(static_cast<double>(v.get_int64()));
    case boost::json::kind::uint64: return new_date(static_cast<double>(v.get_uint64()));
    case boost::json::kind::double_: return new_date(v.get_double());
    default: return std::nullopt;
  }
}

bool is_js_time(std::int64_t ms) { return ms >= -8'640'000'000'000'000 && ms <= 8'640'000'000'000'000; }

bool isodate_traverse_changes(boost::json::value const& v) {
  switch (v.kind()) {
    case boost::json::kind::string: {
      std::string_view const s = v.get_string();
      if (traverse_keeps(s)) return false;
      auto const ms = isodate_parse(s);
      return !ms || to_iso_string(*ms) != s;
    }
    case boost::json::kind::array:
      for (auto const& e : v.get_array())
        if (isodate_traverse_changes(e)) return true;
      return false;
    case boost::json::kind::object: return isodate_traverse_changes(v.get_object());
    default: return false;
  }
}

bool isodate_traverse_changes(boost::json::object const& o) {
  for (auto const& kv : o)
    if (isodate_traverse_changes(kv.value())) return true;
  return false;
}

std::size_t write_isodate_traversed(std::string_view s, char* out) {
  if (traverse_keeps(s)) return 0;
  auto const ms = isodate_parse(s);
  if (!ms) {  // an Invalid Date (none that isodate.parse makes): JSON.stringify writes null
    std::memcpy(out, "null", 4);
    return 4;
  }
  auto const text = to_iso_string(*ms);
  auto const iso = text.view();
  out[0] = '"';
  std::memcpy(out + 1, iso.data(), iso.size());
  out[iso.size() + 1] = '"';
  return iso.size() + 2;
}

namespace {

// json_writer's hook: most string values are surely kept, decided inline; the rest by the rule.
struct isodate_hook {
  bool* rewrote;
  std::size_t operator()(std::string_view s, char* out) const {
    if (surely_kept(s)) return 0;
    std::size_t const n = write_isodate_traversed(s, out);
    if (n != 0) *rewrote = true;
    return n;
  }
};

}  // namespace

bool write_isodate_traversed_json(std::string& out, boost::json::object const& o, std::string_view omit_key) {
  static_assert(isodate_traversed_max <= json::writer::hook_room, "the hook's text fits the writer's room");
  bool rewrote = false;
  json::writer::write_json_object(out, o, omit_key, isodate_hook{&rewrote});
  return rewrote;
}

}  // namespace ajs
