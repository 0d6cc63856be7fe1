#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include <cstdio>
#include <string>

#include "ingest/timestamp.hpp"

using ajs::format_iso8601_ms;
using ajs::parse_iso8601_ms;

TEST_CASE("timestamp: ISO-8601 UTC with milliseconds parses to epoch ms") {
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00.000Z") == 1785578400000);
  CHECK(parse_iso8601_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00.123456Z") == 1785578400123);
}

TEST_CASE("timestamp: offsets are applied") {
  CHECK(parse_iso8601_ms("2026-08-01T12:00:00+02:00") == 1785578400000);
  CHECK(parse_iso8601_ms("2026-08-01T05:30:00-0430") == 1785578400000);
  CHECK(parse_iso8601_ms("2026-08-01T11:00:00+01") == 1785578400000);
}

TEST_CASE("timestamp: a date alone is midnight UTC, a zoneless time is UTC") {
  CHECK(parse_iso8601_ms("2026-08-01") == 1785542400000);
  CHECK(parse_iso8601_ms("2026-08-01 10:00:00") == 1785578400000);
}

TEST_CASE("timestamp: malformed text is refused") {
  for (auto bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-08-01T25:00:00Z", "2026-08-01T10:00:00Zjunk",
                   "2026-8-1", "2026-08-01T10", "2026-08-01T10:00:00.Z", "1785578400000"})
    CHECK_MESSAGE(!parse_iso8601_ms(bad), bad);
}

TEST_CASE("timestamp: leap days parse") {
  CHECK(parse_iso8601_ms("2024-02-29T00:00:00Z") == 1709164800000);
  CHECK(!parse_iso8601_ms("2023-02-29T00:00:00Z"));
}

TEST_CASE("timestamp: formatting is UTC with milliseconds and Z, and round-trips") {
  CHECK(format_iso8601_ms(1785578400500) == "2026-08-01T10:00:00.500Z");
  CHECK(format_iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
  for (long long ms : {951782400000LL, 1709164800123LL, 4102444799999LL})
    CHECK(parse_iso8601_ms(format_iso8601_ms(ms)) == ms);
}

TEST_CASE("timestamp: any instant fits the text's own buffer, the int64 clock's ends included") {
  // A host's receivedAt is any number: the longest is a sign, 9 digits of year and the rest.
  auto const lowest = format_iso8601_ms(std::numeric_limits<std::int64_t>::min());
  auto const highest = format_iso8601_ms(std::numeric_limits<std::int64_t>::max());
  CHECK(lowest.size() == 30);
  CHECK(lowest.front() == '-');
  CHECK(highest.size() == 30);
  CHECK(highest == "+292278994-08-17T07:12:55.807Z");  // (past any Date: the proleptic calendar goes on)
  CHECK(ajs::iso8601_text(1785578400500) == "2026-08-01T10:00:00.500Z");
}

TEST_CASE("timestamp: the calendar's edges agree with JavaScript's Date.parse") {
  // node -e 'console.log(Date.parse("0000-01-01T00:00:00Z"))' and so on.
  struct anchor {
    char const* text;
    long long ms;
  };
  anchor const anchors[] = {
      {"0000-01-01T00:00:00Z", -62167219200000LL}, {"0000-02-29T00:00:00Z", -62162121600000LL},
      {"0000-03-01T00:00:00Z", -62162035200000LL}, {"0400-03-01T00:00:00Z", -49539254400000LL},
      {"1600-02-29T00:00:00Z", -11670998400000LL}, {"1900-03-01T00:00:00Z", -2203891200000LL},
      {"2000-02-29T00:00:00Z", 951782400000LL},    {"2004-01-01T00:00:00Z", 1072915200000LL},
      {"2100-03-01T00:00:00Z", 4107542400000LL},   {"9999-12-31T23:59:59.999Z", 253402300799999LL},
  };
  for (auto const& a : anchors) {
    CHECK_MESSAGE(parse_iso8601_ms(a.text) == a.ms, a.text);
    CHECK_MESSAGE(format_iso8601_ms(a.ms) == (std::string(a.text).find('.') == std::string::npos
                                                  ? std::string(a.text).substr(0, 19) + ".000Z"
                                                  : std::string(a.text)),
                  a.text);
  }
  CHECK(!parse_iso8601_ms("1900-02-29"));
  CHECK(!parse_iso8601_ms("2100-02-29"));
}

TEST_CASE("timestamp: every year 0000–9999 against a day count kept by hand") {
  // An independent oracle: walk the years from 0000, adding 365 or 366 days.
  auto is_leap = [](long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  long long day = -719528;  // 0000-01-01, in days from 1970-01-01
  char text[32];
  for (long long y = 0; y <= 9999; ++y) {
    std::snprintf(text, sizeof text, "%04lld-01-01", y);
    REQUIRE_MESSAGE(parse_iso8601_ms(text) == day * 86400000LL, text);
    std::snprintf(text, sizeof text, "%04lld-03-01T00:00:00Z", y);
    REQUIRE_MESSAGE(parse_iso8601_ms(text) == (day + (is_leap(y) ? 60 : 59)) * 86400000LL, text);
    std::snprintf(text, sizeof text, "%04lld-12-31T23:59:59.999Z", y);
    long long const last = (day + (is_leap(y) ? 366 : 365)) * 86400000LL - 1;
    REQUIRE_MESSAGE(parse_iso8601_ms(text) == last, text);
    REQUIRE_MESSAGE(format_iso8601_ms(last) == text, text);
    day += is_leap(y) ? 366 : 365;
  }
}

TEST_CASE("timestamp: years outside 0000-9999 are written as JavaScript's toISOString writes them") {
  // node -e 'console.log(new Date(-74784816000000).toISOString())' and so on.
  struct anchor {
    long long ms;
    char const* text;
  };
  anchor const anchors[] = {
      {-62167219200000LL, "0000-01-01T00:00:00.000Z"},     {-62167219200001LL, "-000001-12-31T23:59:59.999Z"},
      {-62198755200000LL, "-000001-01-01T00:00:00.000Z"},  {-74784902400000LL, "-000400-02-29T00:00:00.000Z"},
      {-74784816000000LL, "-000400-03-01T00:00:00.000Z"},  {-74784729600000LL, "-000400-03-02T00:00:00.000Z"},
      {253402300799999LL, "9999-12-31T23:59:59.999Z"},     {253402300800000LL, "+010000-01-01T00:00:00.000Z"},
      {8640000000000000LL, "+275760-09-13T00:00:00.000Z"}, {-8640000000000000LL, "-271821-04-20T00:00:00.000Z"},
  };
  for (auto const& a : anchors) CHECK_MESSAGE(format_iso8601_ms(a.ms) == a.text, a.text);
}

TEST_CASE("timestamp: each month's last day parses and the day after it is refused (a strict calendar)") {
  // V8's Date.parse rolls "2023-04-31" over to May 1; this parser refuses it (issue #14 weighs
  // which Segment does). Pinned here so that a change of rule is a decision, not an accident.
  unsigned const last[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (unsigned m = 1; m <= 12; ++m) {
    char ok[16], over[16];
    std::snprintf(ok, sizeof ok, "2023-%02u-%02u", m, last[m - 1]);
    std::snprintf(over, sizeof over, "2023-%02u-%02u", m, last[m - 1] + 1);
    CHECK_MESSAGE(parse_iso8601_ms(ok).has_value(), ok);
    if (auto ms = parse_iso8601_ms(ok)) CHECK(format_iso8601_ms(*ms) == std::string(ok) + "T00:00:00.000Z");
    CHECK_MESSAGE(!parse_iso8601_ms(over).has_value(), over);
  }
  CHECK(parse_iso8601_ms("2024-02-29").has_value());
  CHECK(!parse_iso8601_ms("2024-02-30").has_value());
}

TEST_CASE("timestamp: hours, minutes, seconds and offsets at their edges; z as Z") {
  CHECK(parse_iso8601_ms("2026-08-01T23:59:59Z") == 1785628799000);
  CHECK(parse_iso8601_ms("2026-08-01T23:59:60Z") == 1785628800000);  // a leap second: :59 + 1 s
  for (auto bad : {"2026-08-01T24:00:00Z", "2026-08-01T23:60:00Z", "2026-08-01T23:59:61Z", "2026-08-01T10:00:00+24:00",
                   "2026-08-01T10:00:00+23:60", "2026-08-01T10:00:00-00:60"})
    CHECK_MESSAGE(!parse_iso8601_ms(bad).has_value(), bad);
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00z") == 1785578400000);
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00+23:00") == 1785495600000);
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00+23:59") == 1785492060000);  // node: Date.parse
  CHECK(parse_iso8601_ms("2026-08-01T10:00:00-00:59") == 1785581940000);
}

TEST_CASE("timestamp: a four-digit year is exactly what parse reads back of what iso8601_text writes") {
  auto const first = ajs::days_from_civil(0, 1, 1) * 86'400'000;
  auto const past_last = ajs::days_from_civil(10000, 1, 1) * 86'400'000;
  for (std::int64_t ms : {first, first + 1, std::int64_t{0}, past_last - 1, first - 1, past_last, past_last + 1}) {
    CAPTURE(ms);
    bool const inside = ms >= first && ms < past_last;
    CHECK(ajs::iso8601_four_digit_year(ms) == inside);
    auto const read = parse_iso8601_ms(format_iso8601_ms(ms));
    CHECK(read.has_value() == inside);
    if (read) CHECK(*read == ms);
  }
}
