// json::longest_rewrite_size (src/json/serialized_size.hpp): no JSON text comes out longer than it
// says when parsed and written again, so a short request's 32 KB check can be skipped. The worst
// texts for each kind of growth, against the exact written size.
#include <doctest/doctest.h>

#include <string>

#include "ingest/limits.hpp"
#include "ingest/lone_surrogates.hpp"
#include "json/parse_json.hpp"
#include "json/serialized_size.hpp"

namespace {

// The written size of `text` read as a request's body is (lone surrogates replaced, then parsed).
std::size_t written(std::string const& text) {
  std::string repaired;
  std::string_view body = text;
  if (ajs::replace_lone_surrogate_escapes(body, repaired)) body = repaired;
  boost::system::error_code ec;
  auto const v = ajs::json::parse(body, ec);
  REQUIRE_MESSAGE(!ec, text);
  return ajs::json::serialized_size(v, ~std::size_t{0});
}

std::string repeated(std::string const& head, std::string const& item, std::size_t n, std::string const& tail) {
  std::string s = head;
  for (std::size_t i = 0; i < n; ++i) s += (i ? "," : "") + item;
  return s + tail;
}

}  // namespace

TEST_CASE("longest_rewrite_size: numbers that grow the most, escapes, whitespace and surrogates stay under it") {
  std::string const texts[] = {
      "1e20",                             // 4 → 21: the bound's own ratio
      repeated("[", "1e20", 1000, "]"),   // 5 a number (its comma) → 22
      repeated("[", "-1e20", 1000, "]"),  // 6 → 23
      repeated("[", "9E+20", 1000, "]"),  // 6 → 22
      repeated("[", "1e-6", 1000, "]"),   // 0.000001
      repeated(R"({"a":[)", "1e20", 1000, "]}"),
      repeated("[", R"("\u0001")", 1000, "]"),            // written as it came
      repeated("[", R"("\b\n\"\\\/")", 1000, "]"),        // \/ shrinks, the rest as they came
      repeated("[", R"("\ud83d")", 1000, "]"),            // a lone surrogate: U+FFFD, 3 bytes for 6
      repeated("[", R"("\ud83d\ude00")", 1000, "]"),      // a pair: 4 bytes for 12
      repeated("[", "\"\xC3\xA9\x7F/\"", 1000, "]"),      // é, DEL and / are written as they are
      repeated("{", R"("k":true, "k":null)", 1000, "}"),  // whitespace; a repeated key once
      repeated("[", "-0", 1000, "]"),
  };
  for (auto const& text : texts) {
    INFO(text.substr(0, 40));
    CHECK(written(text) <= ajs::json::longest_rewrite_size(text.size()));
  }
  // The bound is reached: a lower one would let a too-long message through unmeasured.
  CHECK(written("1e20") == ajs::json::longest_rewrite_size(4));
}

TEST_CASE("longest_rewrite_size: up to 6,241 bytes always fit in a message's 32 KB, 6,242 may not") {
  CHECK(ajs::json::longest_rewrite_size(6241) <= ajs::limits::event_bytes);
  CHECK(ajs::json::longest_rewrite_size(6242) > ajs::limits::event_bytes);
}

TEST_CASE("fits: its quick bound never says less than the written size (the longest integers, doubles, escapes)") {
  for (std::string const text :
       {"[-9223372036854775808,9223372036854775807,18446744073709551615,-1,0]", "[1e300,-1.2345678901234567e-7,0.1]",
        R"({"a\u0001":"\u0000\"\\","b":[null,true,false]})", "[12345678901234567890,-4611686018427387904]"}) {
    CAPTURE(text);
    boost::system::error_code ec;
    auto const v = ajs::json::parse(text, ec);
    REQUIRE(!ec);
    auto const size = ajs::json::serialized_size(v, ~std::size_t{0});
    CHECK(size == written(text));
    CHECK(ajs::json::fits(v, size));
    CHECK(!ajs::json::fits(v, size - 1));
  }
}

namespace {

struct bounded {
  boost::json::value value;
  ajs::json::size_bounds sizes;
};

bounded parse_with_bounds(std::string const& text) {
  bounded b;
  b.sizes.array_member = "batch";
  boost::system::error_code ec;
  b.value = ajs::json::parse(text, ec, {}, {}, nullptr, &b.sizes);
  REQUIRE_MESSAGE(!ec, text);
  return b;
}

// Every bound the parse gives is at least the written size of what it bounds.
void check_bounds(std::string const& text) {
  CAPTURE(text.substr(0, 80));
  auto const b = parse_with_bounds(text);
  CHECK(b.sizes.document >= ajs::json::serialized_size(b.value, ~std::size_t{0}));
  auto const* batch = b.value.is_object() ? b.value.get_object().if_contains("batch") : nullptr;
  if (!batch || !batch->is_array()) {
    CHECK(b.sizes.elements.empty());
    return;
  }
  auto const& items = batch->get_array();
  REQUIRE(b.sizes.elements.size() == items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object() && !items[i].is_array()) {
      CHECK(b.sizes.elements[i] == ajs::json::size_bounds::unknown);
      continue;
    }
    CHECK(b.sizes.elements[i] >= ajs::json::serialized_size(items[i], ~std::size_t{0}));
    CHECK(ajs::json::fits(items[i], b.sizes.elements[i]));
  }
}

// A deterministic JSON text: nested objects and arrays of strings with escapes and UTF-8, numbers of
// every form, literals, repeated keys.
struct json_maker {
  std::uint64_t state;
  std::uint32_t next(std::uint32_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 33) % n;
  }
  std::string string() {
    static char const* const pieces[] = {"a",   "\\u0001",  "\\\"",           "\\\\",
                                         "\\/", "\xC3\xA9", "\\ud83d\\ude00", "2026-08-01T10:00:00.000Z",
                                         "\\n", "k",        "batch",          "\\u0062"};
    std::string s = "\"";
    for (auto n = next(6); n > 0; --n) s += pieces[next(12)];
    return s + "\"";
  }
  std::string value(int depth) {
    static char const* const numbers[] = {
        "0",   "-0",   "1e20",   "-1.2345678901234567e-7", "18446744073709551615", "-9223372036854775808",
        "0.1", "49.5", "1E+300", "12345678901234567890"};
    switch (depth > 0 ? next(8) : next(4)) {
      case 0: return string();
      case 1: return numbers[next(10)];
      case 2: return next(2) ? "true" : "null";
      case 3: return "false";
      case 4:
      case 5: {
        std::string s = "{";
        for (auto n = next(5); n > 0; --n)
          s += (s.size() > 1 ? "," : "") + (next(4) ? string() : "\"k\"") + ":" + value(depth - 1);
        return s + "}";
      }
      default: {
        std::string s = "[";
        for (auto n = next(5); n > 0; --n) s += (s.size() > 1 ? "," : "") + value(depth - 1);
        return s + "]";
      }
    }
  }
};

}  // namespace

TEST_CASE("parse's size bounds: never under the written size, the document's and each batch item's") {
  json_maker make{42};
  for (int i = 0; i < 400; ++i) {
    std::string batch = "[";
    for (auto n = make.next(6); n > 0; --n) batch += (batch.size() > 1 ? "," : "") + make.value(4);
    batch += "]";
    check_bounds(R"({"writeKey":"wk","batch":)" + batch + R"(,"sentAt":)" + make.value(2) + "}");
    check_bounds(make.value(5));
  }
}

TEST_CASE("parse's size bounds: the items are the root's last `batch` array's, its key read however written") {
  SUBCASE("repeated: the last one, as the value keeps it") {
    auto const b = parse_with_bounds(R"({"batch":[{"a":1}],"x":1,"batch":[{"bb":"0123456789"},2]})");
    REQUIRE(b.sizes.elements.size() == 2);
    CHECK(b.sizes.elements[0] == 2 + (2 + 6 * 2 + 1) + (2 + 6 * 10));
    CHECK(b.sizes.elements[1] == ajs::json::size_bounds::unknown);
    check_bounds(R"({"batch":[{"a":1}],"x":1,"batch":[{"bb":"0123456789"},2]})");
  }
  SUBCASE("the last not an array: none") {
    CHECK(parse_with_bounds(R"({"batch":[{"a":1}],"batch":"x"})").sizes.elements.empty());
    CHECK(parse_with_bounds(R"({"batch":[{"a":1}],"batch":{"batch":[{}]}})").sizes.elements.empty());
  }
  SUBCASE("escaped key") {
    CHECK(parse_with_bounds(R"({"b\u0061tch":[{},{}]})").sizes.elements.size() == 2);
    CHECK(parse_with_bounds(R"({"batc\u0068":[[],{}]})").sizes.elements.size() == 2);
    CHECK(parse_with_bounds(R"({"batchx":[{}],"xbatch":[{}],"":[{}]})").sizes.elements.empty());
    CHECK(parse_with_bounds(R"({"b\u0061tch\u0061":[{}],"\u0062\u0061\u0074\u0063\u0068\u0068\u0068":[{}]})")
              .sizes.elements.empty());
  }
  SUBCASE("not at the root") {
    CHECK(parse_with_bounds(R"({"x":{"batch":[{}]},"y":[{"batch":[{}]}]})").sizes.elements.empty());
    CHECK(parse_with_bounds(R"([{"batch":[{}]}])").sizes.elements.empty());
  }
  SUBCASE("at most max_elements, the first") {
    ajs::json::size_bounds sizes;
    sizes.array_member = "batch";
    sizes.max_elements = 2;
    boost::system::error_code ec;
    ajs::json::parse(R"({"batch":[{"a":1},[],{"bbb":2}]})", ec, {}, {}, nullptr, &sizes);
    REQUIRE(sizes.elements.size() == 2);
    CHECK(sizes.elements[0] == 2 + (2 + 6 + 1) + 26);
    CHECK(sizes.elements[1] == 2);
  }
  SUBCASE("a root that is not an object: its own bound") {
    auto const b = parse_with_bounds(R"("0123")");
    CHECK(b.sizes.document == 2 + 6 * 4);
    CHECK(b.sizes.elements.empty());
  }
}

TEST_CASE("fits: a bound within the limit settles it, one over it does not") {
  boost::system::error_code ec;
  auto const v = ajs::json::parse(R"({"a":"0123456789"})", ec);
  auto const size = ajs::json::serialized_size(v, ~std::size_t{0});
  CHECK(ajs::json::fits(v, size, size));
  CHECK(!ajs::json::fits(v, size - 1, size + 100));  // the bound says nothing: measured, too long
  CHECK(ajs::json::fits(v, size, size + 100));       // measured, fits
}
