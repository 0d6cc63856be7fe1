// Segment's date rules (src/ingest/segment_dates.hpp). Expected values are what the npm modules
// themselves return in Node with TZ=UTC: new-date 1.0.3, @segment/isodate 1.0.3 (the differential
// test tests/core/segment_dates.test.mjs runs them against the core over generated inputs).
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>

#include "ingest/segment_dates.hpp"
#include "json/write_json.hpp"
#include "plan_fixture.hpp"

using ajs::isodate_is;
using ajs::isodate_parse;
using ajs::new_date;
using ajs::to_iso_string;

namespace {

constexpr std::int64_t invalid = INT64_MIN;  // an Invalid Date, in the tables below

std::int64_t or_invalid(ajs::js_date d) { return d ? *d : invalid; }

std::string traversed(std::string_view s) {
  char out[ajs::isodate_traversed_max];
  auto const n = ajs::write_isodate_traversed(s, out);
  return n == 0 ? "(kept)" : std::string(out, n);
}

}  // namespace

TEST_CASE("segment dates: isodate.is, lax and strict") {
  struct row {
    char const* s;
    bool lax, strict;
  };
  row const rows[] = {
      {"2014", true, false},
      {"2014-06", true, false},
      {"20140601", true, false},
      {"201406", true, false},
      {"2014-0601", true, false},
      {"2014T1000", true, false},
      {"2026-07-31", true, true},
      {"2026-08-15T12:00:00+02:00", true, true},
      {"2026-08-15T10:00:00.123456789Z", true, true},
      {"2026-08-15T10:00:00-0530", true, true},
      {"2026-08-15T10:00:00+05", true, true},
      {"2026-08-15T10:00", true, true},
      {"2026-08-15T1000", true, true},
      {"2026-08-15 10:00:00", true, true},
      {"2026-08-15T10:00:00,5Z", true, true},
      {"2026-13-01", true, true},
      {"9999-99-99T99:99:99.999-99:99", true, true},
      {"2026-08-15T10:00:00z", false, false},
      {"2026-08-15t10:00:00Z", false, false},
      {"2026-08-15T10", false, false},
      {"2026-08-15T10:00:00.Z", false, false},
      {" 2026-08-15", false, false},
      {"2026-08-15 ", false, false},
      {"2026-08-15T10:00:00+05:30:00", false, false},
      {"2026-08-15T10:00:00+05:", false, false},
      {"2026-08-15T10:00:", false, false},
      {"1785578400000", false, false},
      {"1785578400", false, false},
      {"2014061", false, false},
      {"201", false, false},
      {"", false, false},
      {"２０１４", false, false},  // \d is ASCII only
  };
  for (auto const& r : rows) {
    CHECK_MESSAGE(isodate_is(r.s, false) == r.lax, r.s);
    CHECK_MESSAGE(isodate_is(r.s, true) == r.strict, r.s);
  }
}

TEST_CASE("segment dates: isodate.parse is Date.UTC of the fields, rolling over as Date.UTC does") {
  struct row {
    char const* s;
    char const* iso;
  };
  row const rows[] = {
      {"2014", "2014-01-01T00:00:00.000Z"},
      {"2014-06", "2014-06-01T00:00:00.000Z"},
      {"20140601", "2014-06-01T00:00:00.000Z"},
      {"2014T1000", "2014-01-01T10:00:00.000Z"},
      {"2026-07-31", "2026-07-31T00:00:00.000Z"},
      {"2026-08-15T12:00:00+02:00", "2026-08-15T10:00:00.000Z"},
      {"2026-08-15T10:00:00.123456789Z", "2026-08-15T10:00:00.123Z"},  // cut to 3 digits
      {"2026-08-15T10:00:00.1Z", "2026-08-15T10:00:00.100Z"},          // padded to 3 digits
      {"2026-08-15T10:00:00.12Z", "2026-08-15T10:00:00.120Z"},
      {"2026-08-15T10:00:00,5Z", "2026-08-15T10:00:00.500Z"},
      {"2026-08-15T10:00:00-0530", "2026-08-15T15:30:00.000Z"},
      {"2026-08-15T10:00:00+05", "2026-08-15T05:00:00.000Z"},
      {"2026-08-15T10:00:00-00:00", "2026-08-15T10:00:00.000Z"},
      {"2026-08-15T10:00", "2026-08-15T10:00:00.000Z"},  // 'T' without a zone: UTC
      {"2026-08-15T1000", "2026-08-15T10:00:00.000Z"},
      {"2026-08-15 10:00:00", "2026-08-15T10:00:00.000Z"},        // ' ': local time, read as UTC
      {"2026-08-15 10:00:00+02:00", "2026-08-15T10:00:00.000Z"},  // ' ': the zone is ignored
      {"2026-08-15T24:00:00Z", "2026-08-16T00:00:00.000Z"},
      {"2026-13-01", "2027-01-01T00:00:00.000Z"},
      {"2026-02-30", "2026-03-02T00:00:00.000Z"},
      {"2026-00-00", "2026-01-01T00:00:00.000Z"},  // parseInt("00") || 1
      {"2026-08-15T10:00:60Z", "2026-08-15T10:01:00.000Z"},
      {"0000-01-01", "1900-01-01T00:00:00.000Z"},  // Date.UTC: years 0–99 are 1900–1999
      {"0099-06-15", "1999-06-15T00:00:00.000Z"},
      {"0100-06-15", "0100-06-15T00:00:00.000Z"},
      {"9999-12-31T23:59:60Z", "+010000-01-01T00:00:00.000Z"},
      {"9999-99-99T99:99:99.999-99:99", "+010007-06-15T09:19:39.999Z"},
  };
  for (auto const& r : rows) {
    auto const ms = isodate_parse(r.s);
    REQUIRE_MESSAGE(ms, r.s);
    CHECK_MESSAGE(to_iso_string(*ms) == r.iso, r.s);
  }
  CHECK(!isodate_parse("2026-08-15T10"));
}

TEST_CASE("segment dates: new-date reads numbers as seconds below 31557600000, else as ms") {
  struct row {
    double n;
    std::int64_t ms;
  };
  row const rows[] = {
      {0, 0},
      {17, 17000},
      {-5, -5000},
      {1785578400, 1785578400000},
      {1785578400.5, 1785578400500},
      {1785578400000, 1785578400000},
      {1785578400000.5, 1785578400000},  // TimeClip truncates
      {1.001, 1000},                     // 1.001 * 1000 is 1000.9999999999999 in doubles
      {31557599999, 31557599999000},
      {31557600000, 31557600000},
      {8.64e15, 8640000000000000},
      {8.64e15 + 1, invalid},
      {-8.64e12, -8640000000000000},
      {-8.64e12 - 1, invalid},
      {1e300, invalid},
  };
  for (auto const& r : rows) CHECK_MESSAGE(or_invalid(new_date(r.n)) == r.ms, r.n);
}

TEST_CASE("segment dates: new-date reads strings: isodate, 13 digits, 10 digits, then new Date()") {
  struct row {
    char const* s;
    std::int64_t ms;
  };
  row const rows[] = {
      {"2014", 1388534400000},
      {"2014-06", 1401580800000},
      {"20140601", 1401580800000},
      {"2026-07-31", 1785456000000},
      {"2026-08-15T12:00:00+02:00", 1786788000000},
      {"1785578400000", 1785578400000},
      {"1785578400", 1785578400000},
      {"\xC2\xA0 1785578400000", 1785578400000},  // parseInt skips JavaScript white space
      {"-1785578400", -1785578400000},
      {"0000000000001", 1},
      {"99999999999999", 99999999999999},
      {"17855784000000000000", invalid},  // past any Date
      {"ts 1785578400000 ms", invalid},   // 13 digits, but parseInt reads NaN
      {"x1785578400", invalid},
      {"1785578400000abc", 1785578400000},
      // new Date(string): the forms read (segment_dates.cpp)
      {"Fri, 31 Jul 2026 10:00:00 GMT", 1785492000000},
      {"Sat, 15 Aug 2026 10:00:00 GMT", 1786788000000},
      {"31 Jul 2026 10:00:00 GMT", 1785492000000},
      {"Fri, 31 Jul 2026 10:00 UTC", 1785492000000},
      {"Fri, 31 Jul 2026 10:00:00", 1785492000000},  // local, read as UTC
      {"Fri, 31 Jul 2026 10:00:00 +0200", 1785484800000},
      {"Fri, 31 Jul 2026 10:00:00 +9999", 1785129660000},  // V8: 99 h 99 min, unchecked
      {"Fri, 31 Feb 2026 10:00:00 GMT", 1772532000000},    // rolls into March
      {"Fri, 31 Jul 0049 10:00:00 UT", 2511338400000},     // V8: years 0–49 are 2000–2049
      {"Fri, 31 Jul 2026 24:00:00 GMT", 1785542400000},    // 24:00 is the next midnight
      {"07/31/2026 10:00", 1785492000000},
      {"07/31/2026", 1785456000000},
      {"7/3/2026 10:00:59", 1783072859000},
      {"12/31/9999 24:00", 253402300800000},
      // not read
      {"Fri, 31 Jul 2026 24:00:01 GMT", invalid},
      {"Fri, 32 Jul 2026 10:00:00 GMT", invalid},
      {"07/31/2026 10:60", invalid},
      {"13/01/2026", invalid},
      {"2026-08-15T10", invalid},
      {"abc", invalid},
      {"", invalid},
  };
  for (auto const& r : rows) CHECK_MESSAGE(or_invalid(new_date(std::string_view(r.s))) == r.ms, r.s);
}

TEST_CASE("segment dates: new-date of a JSON value: numbers and strings; anything else is no date") {
  CHECK(new_date(boost::json::parse("1785578400")) == 1785578400000);
  CHECK(new_date(boost::json::parse("1785578400000")) == 1785578400000);
  CHECK(new_date(boost::json::parse("18446744073709551615")) == std::nullopt);
  CHECK(new_date(boost::json::parse("1785578400.5")) == 1785578400500);
  CHECK(new_date(boost::json::parse(R"("2014")")) == 1388534400000);
  for (char const* other : {"null", "true", "{}", "[2014]"}) CHECK_MESSAGE(!new_date(boost::json::parse(other)), other);
}

TEST_CASE("segment dates: toISOString: UTC with 3-digit ms and Z, years outside 0–9999 as ±YYYYYY") {
  CHECK(to_iso_string(0) == "1970-01-01T00:00:00.000Z");
  CHECK(to_iso_string(1785578400500) == "2026-08-01T10:00:00.500Z");
  CHECK(to_iso_string(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(to_iso_string(8640000000000000) == "+275760-09-13T00:00:00.000Z");
  CHECK(to_iso_string(-8640000000000000) == "-271821-04-20T00:00:00.000Z");
  CHECK(to_iso_string(-62198755200000) == "-000001-01-01T00:00:00.000Z");
}

TEST_CASE("segment dates: isodate-traverse turns strict ISO strings into toISOString, and keeps the rest") {
  CHECK(traversed("2026-08-15T12:00:00+02:00") == R"("2026-08-15T10:00:00.000Z")");
  CHECK(traversed("2026-07-31") == R"("2026-07-31T00:00:00.000Z")");
  CHECK(traversed("2026-13-01") == R"("2027-01-01T00:00:00.000Z")");
  CHECK(traversed("0000-01-01T00:00:00.000Z") == R"("1900-01-01T00:00:00.000Z")");
  CHECK(traversed("9999-99-99T99:99:99.999-99:99") == R"("+010007-06-15T09:19:39.999Z")");
  CHECK(traversed("2026-08-15T10:00:00.000Z") == "(kept)");  // already as toISOString writes it
  for (char const* kept : {"2014", "2014-06", "20140601", "1785578400000", "2026-08-15T10", " 2026-08-15",
                           "2026-08-15t10:00:00Z", "Fri, 31 Jul 2026 10:00:00 GMT", "hello", ""})
    CHECK_MESSAGE(traversed(kept) == "(kept)", kept);
}

TEST_CASE("segment dates: isodate-traverse changes a message only where a string value is a date") {
  auto const changes = [](char const* json) { return ajs::isodate_traverse_changes(boost::json::parse(json)); };
  CHECK(!changes(R"({"timestamp":"2026-08-01T10:00:00.000Z","n":20260801,"s":"2014","2026-08-01":"x"})"));
  CHECK(changes(R"({"traits":{"createdAt":"2026-08-01"}})"));
  CHECK(changes(R"({"properties":{"list":[1,{"at":"2026-08-01T12:00:00+02:00"}]}})"));
  CHECK(changes(R"(["2026-08-01T10:00:00Z"])"));
  CHECK(!changes(R"({"a":[null,true,1.5,"x",{"b":"2026-08-01T10:00:00.000Z"}]})"));
}

// ---- Through ingest and planning ----

namespace {

ajs::test::outcome post_to_gainsight_and_px(std::string const& body) {
  static ajs::config const cfg = ajs::test::make_config(R"({"sources":[{"writeKey":"wk","destinations":{
      "gainsight":{"accessKey":{"secret":"GS"}},"gainsightPx":{"apiKey":{"secret":"PX"}}}}]})");
  ajs::test::request r;
  r.url = "https://edge.example.com/v1/track";
  r.body = body;
  return ajs::test::run(cfg, r);
}

}  // namespace

TEST_CASE("segment dates: a timestamp facade reads is read, and kept as sent in originalTimestamp") {
  // segmentio-facade 3.2.7 lib/facade.js: obj.timestamp = newDate(obj.timestamp).
  struct row {
    char const* sent;  // JSON
    char const* timestamp;
  };
  row const rows[] = {
      {R"("2014")", "2014-01-01T00:00:00.000Z"},
      {R"("2014-06")", "2014-06-01T00:00:00.000Z"},
      {R"("20140601")", "2014-06-01T00:00:00.000Z"},
      {R"("2026-07-31 10:00:00")", "2026-07-31T10:00:00.000Z"},
      {"1785490000000", "2026-07-31T09:26:40.000Z"},
      {"1785490000", "2026-07-31T09:26:40.000Z"},
      {"1785490000000.5", "2026-07-31T09:26:40.000Z"},
      {"0", "1970-01-01T00:00:00.000Z"},
      {R"("1785490000000")", "2026-07-31T09:26:40.000Z"},
      {R"("Fri, 31 Jul 2026 10:00:00 GMT")", "2026-07-31T10:00:00.000Z"},
      {R"("07/31/2026 10:00")", "2026-07-31T10:00:00.000Z"},
      {R"("not a date")", "2026-08-01T10:00:00.500Z"},  // unread: receivedAt
  };
  for (auto const& r : rows) {
    auto o = post_to_gainsight_and_px(std::string(R"({"writeKey":"wk","userId":"u","event":"E","timestamp":)") +
                                      r.sent + "}");
    REQUIRE_MESSAGE(o.calls.size() == 2, r.sent);
    auto const px = o.calls[1].json();
    CHECK_MESSAGE(px.at("timestamp") == r.timestamp, r.sent);
    CHECK_MESSAGE(px.at("originalTimestamp") == boost::json::parse(r.sent), r.sent);
  }
}

TEST_CASE("segment dates: sentAt read as facade reads it corrects the clock skew, numbers included") {
  // 09:00:00 sent at 09:00:01 (epoch seconds), received 10:00:00.500 → 09:59:59.500
  auto o = post_to_gainsight_and_px(
      R"({"writeKey":"wk","userId":"u","event":"E","timestamp":"2026-08-01T11:00:00+02:00","sentAt":1785574801})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[1].json().at("timestamp") == "2026-08-01T09:59:59.500Z");
}

TEST_CASE("segment dates: Gainsight's body carries every ISO date as toISOString; PX's carries them as sent") {
  auto o = post_to_gainsight_and_px(
      R"({"writeKey":"wk","userId":"u","event":"E","timestamp":"2026-08-15T12:00:00+02:00",)"
      R"("properties":{"when":"2026-07-31","list":["2026-08-15T12:00:00+02:00",1],"year":"2014","2026-07-31":"key"}})");
  REQUIRE(o.calls.size() == 2);
  REQUIRE(o.calls[0].destination == "gainsight");
  auto const gs = o.calls[0].json(), px = o.calls[1].json();
  CHECK(gs.at("timestamp") == "2026-08-15T10:00:00.000Z");
  CHECK(gs.at("originalTimestamp") == "2026-08-15T10:00:00.000Z");
  CHECK(gs.at("properties") == boost::json::parse(R"({"when":"2026-07-31T00:00:00.000Z",
      "list":["2026-08-15T10:00:00.000Z",1],"year":"2014","2026-07-31":"key"})"));
  CHECK(px.at("originalTimestamp") == "2026-08-15T12:00:00+02:00");
  CHECK(px.at("properties") == boost::json::parse(R"({"when":"2026-07-31",
      "list":["2026-08-15T12:00:00+02:00",1],"year":"2014","2026-07-31":"key"})"));
  // Everything else is the same message.
  auto gs_rest = gs.as_object(), px_rest = px.as_object();
  for (auto key : {"originalTimestamp", "properties"}) gs_rest.erase(key), px_rest.erase(key);
  CHECK(gs_rest == px_rest);
}

TEST_CASE("segment dates: when facade would change no date, Gainsight and PX share one serialized body") {
  // Either destination first: Gainsight writes the body PX then passes through, or finds out by a
  // walk whether PX's will do.
  static ajs::config const gainsight_first = ajs::test::make_config(R"({"sources":[{"writeKey":"wk","destinations":{
      "gainsight":{"accessKey":{"secret":"GS"}},"gainsightPx":{"apiKey":{"secret":"PX"}}}}]})");
  static ajs::config const px_first = ajs::test::make_config(R"({"sources":[{"writeKey":"wk","destinations":{
      "gainsightPx":{"apiKey":{"secret":"PX"}},"gainsight":{"accessKey":{"secret":"GS"}}}}]})");
  for (auto const* cfg : {&gainsight_first, &px_first}) {
    auto const shared = [&](std::string const& body) {
      ajs::test::request r;
      r.url = "https://edge.example.com/v1/track";
      auto meta = ajs::read_request_meta(ajs::test::meta_bytes(r));
      REQUIRE(meta.has_value());
      ajs::plan p;
      ajs::handle_request(*meta, body, *cfg, p);
      REQUIRE(p.requests.size() == 2);
      CHECK(p.view(p.requests[0].destination) == (cfg == &px_first ? "gainsightPx" : "gainsight"));
      return p.requests[0].body.offset == p.requests[1].body.offset &&
             p.requests[0].body.length == p.requests[1].body.length;
    };
    CHECK(shared(R"({"writeKey":"wk","userId":"u","event":"E","timestamp":"2026-08-01T10:00:00.000Z",)"
                 R"("properties":{"n":"2014","t":"2026-08-01T10:00:00.000Z"}})"));
    CHECK(!shared(R"({"writeKey":"wk","userId":"u","event":"E","properties":{"t":"2026-08-01"}})"));
  }
}

TEST_CASE("segment dates: a message written through isodate-traverse says whether a string value changed") {
  auto const write = [](char const* json, std::string& text) {
    auto const v = boost::json::parse(json);
    return ajs::write_isodate_traversed_json(text, v.as_object(), "writeKey");
  };
  std::string text = "[before]";
  // Nothing to change: json::write_json's text exactly, appended.
  char const* kept = R"({"writeKey":"2026-08-01","2026-08-01":"x","t":"2026-08-01T10:00:00.000Z","n":1.5,)"
                     R"("a":["2014",null,{"s":"hello \"you\""}]})";
  CHECK(!write(kept, text));
  std::string plain = "[before]";
  ajs::json::write_json(plain, boost::json::parse(kept).as_object(), "writeKey");
  CHECK(text == plain);
  CHECK(text ==
        R"([before]{"2026-08-01":"x","t":"2026-08-01T10:00:00.000Z","n":1.5,"a":["2014",null,{"s":"hello \"you\""}]})");
  // A value at any depth changes; keys and the omitted member never do.
  text.clear();
  CHECK(write(R"({"writeKey":"x","2026-08-01":{"list":[1,"2026-08-01T12:00:00+02:00"]}})", text));
  CHECK(text == R"({"2026-08-01":{"list":[1,"2026-08-01T10:00:00.000Z"]}})");
}
