// json::find (src/json/access.hpp): the member Boost's if_contains finds, on either side of the
// size where find stops scanning and leaves the lookup to Boost's hash index.
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "json/access.hpp"
#include "json/parse_json.hpp"

namespace {

namespace bj = boost::json;

// Keys that share lengths and first bytes, as a message's do (timestamp, messageId, _metadata),
// and the empty key.
std::vector<std::string> keys_of_size(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    std::string key = "k" + std::string(i % 4, 'x') + std::to_string(i);
    if (i % 7 == 3) key = "";
    keys.push_back(key);
  }
  return keys;
}

}  // namespace

TEST_CASE("json::find finds what if_contains finds, in small and indexed objects") {
  std::vector<std::string> const probes = {"",    "k0",  "k1",  "kx1",    "kxx2", "kxxx3", "k",         "kx", "j1",
                                           "k17", "k18", "k19", "kxxx19", "k39",  "k40",   "timestamp", "k0 "};
  for (std::size_t size : {0u, 1u, 2u, 17u, 18u, 19u, 40u}) {
    bj::object o;
    auto const keys = keys_of_size(size);
    for (std::size_t i = 0; i < keys.size(); ++i) o[keys[i]] = i;
    std::vector<std::string> all = probes;
    all.insert(all.end(), keys.begin(), keys.end());
    for (auto const& key : all) {
      CAPTURE(size);
      CAPTURE(key);
      CHECK(ajs::json::find(o, key) == o.if_contains(key));
      bj::object& mutable_o = o;
      CHECK(ajs::json::find(mutable_o, key) == mutable_o.if_contains(key));
    }
  }
}

TEST_CASE("json::find reads the last of a duplicated key, as JSON.parse keeps it") {
  boost::system::error_code ec;
  auto v = ajs::json::parse(R"({"type":"page","event":"A","type":"track","":1,"":2})", ec);
  REQUIRE(!ec);
  auto const& o = v.get_object();
  REQUIRE(ajs::json::find(o, "type") != nullptr);
  CHECK(ajs::json::find(o, "type")->get_string() == "track");
  CHECK(ajs::json::find(o, "")->get_int64() == 2);
  CHECK(ajs::json::find(o, "typ") == nullptr);
  CHECK(ajs::json::find(o, "types") == nullptr);
}
