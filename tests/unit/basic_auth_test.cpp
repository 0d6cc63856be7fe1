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

TEST_CASE("base64: every character of the alphabet decodes to its own value (oracle: Node's Buffer)") {
  // Buffer.from("A…Za…z0…9+/", "base64") in Node.
  std::string const expected(
      "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51\x55\x97\x61\x96\x9b\x71\xd7\x9f"
      "\x82\x18\xa3\x92\x59\xa7\xa2\x9a\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf",
      48);
  CHECK(base64_decode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == expected);
  CHECK(base64_decode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == expected);  // URL-safe
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  CHECK(base64_decode(base64_encode(all)) == all);
}

TEST_CASE("base64: any byte outside the alphabet makes the text unreadable") {
  for (int b = 0; b < 256; ++b) {
    char const c = static_cast<char>(b);
    bool const in_alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                             c == '/' || c == '-' || c == '_' || c == '=';
    if (in_alphabet) continue;
    CHECK_MESSAGE(!base64_decode(std::string("QU") + c + "J"), "byte " << b);
  }
  CHECK(!base64_decode("QUJDR"));  // one character past a whole group cannot be a byte
  CHECK(base64_decode("QUJDRA") == "ABCD");
  CHECK(base64_decode("QUJDRA==") == "ABCD");
}

TEST_CASE("basic auth: spaces and tabs around the header and the credentials are ignored, not inside the scheme") {
  CHECK(basic_auth_username(" \tBasic \t d2tfMTIzOg== \t") == "wk_123");
  // One space or tab alone, before and after (credentials without padding: a byte cut would show).
  for (auto text : {" Basic d2tfMTIz", "\tBasic d2tfMTIz", "Basic d2tfMTIz ", "Basic d2tfMTIz\t"})
    CHECK_MESSAGE(basic_auth_username(text) == "wk_123", text);
  CHECK(!basic_auth_username("Basic\td2tfMTIzOg=="));
  CHECK(!basic_auth_username("Basi d2tfMTIzOg=="));
  CHECK(!basic_auth_username("Xasic d2tfMTIzOg=="));  // every letter of the scheme, the first too
  CHECK(!basic_auth_username("Basic "));
  CHECK(basic_auth_username("Basic " + base64_encode("a:b:c")) == "a");
  CHECK(basic_auth_username("Basic " + base64_encode(":secret")) == "");
}
