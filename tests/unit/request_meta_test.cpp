#include <doctest/doctest.h>

#include <string>

#include "http/request_meta.hpp"

using ajs::parse_request_meta;

namespace {
std::string error_of(std::string const& meta) {
  auto m = parse_request_meta(meta);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().status == 500);  // the host's fault, not the client's
  CHECK(m.error().code == "invalid_meta");
  return m.error().message;
}
}  // namespace

TEST_CASE("request meta: the URL splits into scheme, host with port, and path without query or fragment") {
  auto m = parse_request_meta(R"({"method":"post","url":"https://edge.example.com:8443/v1/t?x=1#top"})");
  REQUIRE(m.has_value());
  CHECK(m->method == "POST");
  CHECK(m->scheme == "https");
  CHECK(m->host == "edge.example.com:8443");
  CHECK(m->path == "/v1/t");
  auto bare = parse_request_meta(R"({"method":"GET","url":"http://127.0.0.1:8787"})");
  REQUIRE(bare.has_value());
  CHECK(bare->path == "/");
  CHECK(bare->host == "127.0.0.1:8787");
  // Nothing else given: every other field is empty, zero or false.
  CHECK(bare->received_at_ms == 0);
  CHECK(bare->seed == 0);
  CHECK_FALSE(bare->body_too_large);
  CHECK(bare->body_error.empty());
  CHECK(bare->authorization.empty());
}

TEST_CASE("request meta: headers, receivedAt, seed and the body flags are read as the host writes them") {
  auto m = parse_request_meta(R"({"method":"POST","url":"https://e.example/v1/b","receivedAt":1785578400500.9,
      "seed":"00000000000000fF","bodyTooLarge":true,"bodyError":"body is not valid gzip data","queue":true,
      "headers":{"authorization":"Basic d2s6","origin":"https://shop.example","cf-connecting-ip":"203.0.113.7",
                 "access-control-request-headers":"content-type"}})");
  REQUIRE(m.has_value());
  CHECK(m->received_at_ms == 1785578400500);
  CHECK(m->seed == 255);
  CHECK(m->body_too_large);
  CHECK(m->body_error == "body is not valid gzip data");
  CHECK(m->authorization == "Basic d2s6");
  CHECK(m->origin == "https://shop.example");
  CHECK(m->client_ip == "203.0.113.7");
  CHECK(m->access_control_request_headers == "content-type");
  CHECK(m->queue);
  auto seeds =
      parse_request_meta(R"({"url":"https://e.example/","seed":"123456789abcdef0ff","bodyTooLarge":"yes","queue":1})");
  REQUIRE(seeds.has_value());
  CHECK(seeds->seed == 0x123456789abcdef0ull);  // 16 digits at most
  CHECK_FALSE(seeds->body_too_large);
  CHECK_FALSE(seeds->queue);  // only the boolean true
}

TEST_CASE(
    "request meta: the seed is read as hex, either case; the range ends count; anything else is 0; 16 digits at most") {
  auto seed = [](std::string const& s) {
    auto m = parse_request_meta(R"({"method":"POST","url":"https://e.example/v1/t","seed":")" + s + R"("})");
    REQUIRE(m.has_value());
    return m->seed;
  };
  CHECK(seed("09") == 9);
  CHECK(seed("af") == 0xaf);
  CHECK(seed("AF") == 0xaf);
  CHECK(seed("0z") == 0);
  CHECK(seed("z1") == 1);
  CHECK(seed("0123456789abcdef0") == 0x0123456789abcdefULL);
}

TEST_CASE("request meta: what a host must never send is a 500 invalid_meta that says why") {
  CHECK(error_of("{") == "request meta is not a JSON object");
  CHECK(error_of("[]") == "request meta is not a JSON object");
  CHECK(error_of(R"({"url":"edge.example.com/v1/t"})") == "request meta has no absolute url");
  CHECK(error_of(R"({"url":"https:///v1/t"})") == "request meta has no absolute url");
  CHECK(error_of(R"({"method":"POST"})") == "request meta has no absolute url");
}
