#include <doctest/doctest.h>

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
