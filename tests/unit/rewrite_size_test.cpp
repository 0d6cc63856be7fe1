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
