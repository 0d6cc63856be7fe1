// json::doc (src/json/doc.hpp): the compact document reads every text as json::parse does: the
// same values in the same order (duplicate keys resolved as JSON.parse resolves them), the same
// errors at the same place. json::parse's Boost value is the oracle, compared as serialized text.
#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <random>
#include <string>

#include "doc.hpp"
#include "json/parse_json.hpp"

namespace {

namespace bj = boost::json;
using ajs::json::doc::document;
using ajs::json::doc::kind;
using ajs::json::doc::value;

bj::value to_boost(value v) {
  switch (v.type()) {
    case kind::null: return nullptr;
    case kind::boolean: return v.boolean();
    case kind::int64: return v.int64();
    case kind::uint64: return v.uint64();
    case kind::double_: return v.number();
    case kind::string: return bj::string(v.string());
    case kind::array: {
      bj::array a;
      for (auto e = v.first(); a.size() < v.size(); e = e.next_sibling()) a.push_back(to_boost(e));
      return a;
    }
    case kind::object: {
      bj::object o;
      auto k = v.first();
      for (std::uint32_t m = 0; m < v.size(); ++m) {
        auto const val = k.next_sibling();  // a key is one node
        REQUIRE_MESSAGE(!o.contains(k.string()), "a key once: ", std::string(k.string()));
        o.emplace(k.string(), to_boost(val));
        k = val.next_sibling();
      }
      return o;
    }
  }
  return nullptr;
}

bj::parse_options options() {
  bj::parse_options o;
  o.max_depth = 64;
  return o;
}

// Both readings of `text`: the same error, or the same value (compared as Boost serializes it,
// members in order).
void same_reading(std::string const& text, std::uint64_t seed = 1) {
  boost::system::error_code boost_ec, doc_ec;
  std::size_t boost_at = 0, doc_at = 0;
  auto const expected = ajs::json::parse(text, boost_ec, {}, options(), &boost_at);
  document d;
  d.parse(text, doc_ec, options(), seed, &doc_at);
  CHECK_MESSAGE(boost_ec == doc_ec, text.substr(0, 200));
  CHECK_MESSAGE(boost_at == doc_at, text.substr(0, 200));
  if (boost_ec) {
    CHECK(!d.root());
    return;
  }
  REQUIRE(d.root());
  CHECK_MESSAGE(bj::serialize(to_boost(d.root())) == bj::serialize(expected), text.substr(0, 200));
  CHECK(d.root().subtree() == d.nodes().size());
}

}  // namespace

TEST_CASE("json::doc reads scalars, containers and strings as json::parse") {
  for (char const* text : {"null",
                           "true",
                           "false",
                           "0",
                           "-0",
                           "1",
                           "-1",
                           "9223372036854775807",
                           "-9223372036854775808",
                           "18446744073709551615",
                           "18446744073709551616",
                           "1.5",
                           "113.17408141314563",
                           "1e400",
                           "-1e-400",
                           "0.1",
                           "\"\"",
                           "\"a\"",
                           "\"caf\\u00e9\"",
                           "\"\\n\\t\\\"\\\\\\/\"",
                           "\"\\ud83d\\ude00\"",
                           "[]",
                           "{}",
                           "[[]]",
                           "[{}]",
                           "{\"a\":{}}",
                           "[1,\"two\",3.5,true,null,{\"k\":[]}]",
                           "{\"a\":1,\"b\":{\"c\":[1,2,{\"d\":\"e\"}]},\"f\":\"g\"}",
                           "  {\"a\" : 1 }  ",
                           "{\"\":1}"})
    same_reading(text);
}

TEST_CASE("json::doc keeps a repeated key once: at its first place, with its last value") {
  for (char const* text :
       {"{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":{\"x\":1},\"b\":2,\"a\":[1,{\"y\":2}]}",
        "{\"a\":1,\"b\":2,\"a\":3,\"b\":4,\"a\":5}", "[{\"a\":1,\"a\":{\"a\":1,\"a\":2}},{\"a\":3}]",
        "{\"k\":{\"a\":1,\"a\":2},\"k\":{\"b\":1,\"b\":2}}", "{\"a\\u0062\":1,\"ab\":2}"})
    same_reading(text);
  // Big objects find repeats through a table of hashes.
  for (int members : {17, 40, 300}) {
    std::string text = "{";
    for (int i = 0; i < members; ++i)
      text += "\"k" + std::to_string(i % (members / 3)) + "\":" + std::to_string(i) + ",";
    text += "\"last\":{\"k1\":1,\"k1\":2}}";
    same_reading(text);
    same_reading(text, 0);
  }
}

TEST_CASE("json::doc: strings with escapes are its own copy; the others are the text's") {
  std::string const text =
      "[\"plain\",\"esc\\naped\",\"" + std::string(5000, 'x') + "\\u0041" + std::string(5000, 'y') + "\"]";
  same_reading(text);
  document d;
  boost::system::error_code ec;
  d.parse(text, ec);
  REQUIRE(!ec);
  auto const plain = d.root().first();
  CHECK(d.nodes()[plain.index()].in_text);
  CHECK(plain.string().data() == text.data() + 2);
  CHECK_FALSE(d.nodes()[plain.next_sibling().index()].in_text);
  CHECK(plain.next_sibling().string() == "esc\naped");
  CHECK(plain.next_sibling().next_sibling().string() == std::string(5000, 'x') + "A" + std::string(5000, 'y'));
}

TEST_CASE("json::doc: errors where json::parse has them") {
  std::string deep(70, '[');
  deep += std::string(70, ']');
  for (std::string const& text :
       {std::string(""), std::string("{"), std::string("[1,]"), std::string("{\"a\" 1}"), std::string("\"\\x\""),
        std::string("\"\xff\""), std::string("\"\xc0\x80\""), std::string("1 2"), std::string("nul"),
        std::string("{\"a\":1}x"), deep, std::string("\"\\ud800\""), std::string("01"), std::string("1.")})
    same_reading(text);
}

TEST_CASE("json::doc: random documents read as json::parse reads them") {
  std::mt19937_64 rng(13);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  std::function<std::string(int)> make = [&](int depth) -> std::string {
    switch (depth > 5 ? pick(4) : pick(7)) {
      case 0: return "null";
      case 1: return std::to_string(static_cast<std::int64_t>(rng()) >> pick(64));
      case 2: return std::to_string(static_cast<double>(rng() % 100000) / 7.0);
      case 3: {
        std::string s = "\"";
        char const* const pieces[] = {"a", "b", "xyz", "\\n", "\\u00e9", "\\\"", "\\ud83d\\ude00", "\xc3\xa9"};
        for (int i = pick(12); i-- > 0;) s += pieces[pick(8)];
        return s + "\"";
      }
      case 4:
      case 5: {
        std::string s = "{";
        for (int i = pick(depth < 2 ? 30 : 6); i-- > 0;)
          s += "\"" + std::string(1, "abcdefgh"[pick(8)]) + "\":" + make(depth + 1) + (i ? "," : "");
        return s + "}";
      }
      default: {
        std::string s = "[";
        for (int i = pick(5); i-- > 0;) s += make(depth + 1) + (i ? "," : "");
        return s + "]";
      }
    }
  };
  for (int i = 0; i < 2000; ++i) same_reading(make(0), rng());
}
