#include <doctest/doctest.h>

#include "ingest/basic_auth.hpp"

using ajs::base64_decode;
using ajs::base64_encode;
using ajs::basic_auth_username;

TEST_CASE("basic auth: the username of base64(key:) is the writeKey") {
  CHECK(basic_auth_username("Basic " + base64_encode("wk_123:")) == "wk_123");
}

TEST_CASE("basic auth: base64(key) without the colon is accepted") {
  CHECK(basic_auth_username("Basic " + base64_encode("wk_123")) == "wk_123");
}

TEST_CASE("basic auth: the scheme is case-insensitive and padding optional") {
  CHECK(basic_auth_username("basic d2tfMTIzOg") == "wk_123");
  CHECK(basic_auth_username("BASIC d2tfMTIzOg==") == "wk_123");
}

TEST_CASE("basic auth: other schemes and broken base64 give no key") {
  CHECK(!basic_auth_username("Bearer d2tfMTIzOg=="));
  CHECK(!basic_auth_username("Basic !!!"));
  CHECK(!basic_auth_username("Basic"));
  CHECK(!basic_auth_username(""));
}

TEST_CASE("base64: encode and decode round-trip every length") {
  std::string s;
  for (int i = 0; i < 20; ++i) {
    CHECK(base64_decode(base64_encode(s)) == s);
    s += static_cast<char>(i * 37);
  }
  CHECK(base64_encode("wk:") == "d2s6");
  CHECK(base64_encode("a") == "YQ==");
}
