#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "http/request_meta.hpp"

using ajs::encode_request_meta;
using ajs::host_meta;
using ajs::read_request_meta;

namespace {

host_meta with_url(std::string url, std::string method = "POST") {
  host_meta m;
  m.method = std::move(method);
  m.url = std::move(url);
  return m;
}

std::string error_of(std::string const& bytes) {
  auto m = read_request_meta(bytes);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().status == 500);  // the host's fault, not the client's
  CHECK(m.error().code == "invalid_meta");
  return m.error().message;
}

}  // namespace

TEST_CASE("request meta: the URL splits into scheme, host with port, and path without query or fragment") {
  auto m = read_request_meta(encode_request_meta(with_url("https://edge.example.com:8443/v1/t?x=1#top", "post")));
  REQUIRE(m.has_value());
  CHECK(m->method == "POST");
  CHECK(m->scheme == "https");
  CHECK(m->host == "edge.example.com:8443");
  CHECK(m->path == "/v1/t");
  auto bare = read_request_meta(encode_request_meta(with_url("http://127.0.0.1:8787", "GET")));
  REQUIRE(bare.has_value());
  CHECK(bare->path == "/");
  CHECK(bare->host == "127.0.0.1:8787");
  // Nothing else given: every other field is empty, zero or false.
  CHECK(bare->received_at_ms == 0);
  CHECK(bare->seed == 0);
  CHECK_FALSE(bare->body_too_large);
  CHECK_FALSE(bare->queue);
  CHECK(bare->body_error.empty());
  CHECK(bare->authorization.empty());
  CHECK(bare->geo.country.empty());
}

TEST_CASE("request meta: headers, receivedAt, seed and the body flags are read as the host writes them") {
  auto h = with_url("https://e.example/v1/b");
  h.received_at_ms = 1785578400500;
  h.seed = 0x123456789abcdef0ull;
  h.body_too_large = true;
  h.body_error = "body is not valid gzip data";
  h.queue = true;
  h.authorization = "Basic d2s6";
  h.origin = "https://shop.example";
  h.client_ip = "203.0.113.7";
  h.access_control_request_headers = "content-type";
  auto m = read_request_meta(encode_request_meta(h));
  REQUIRE(m.has_value());
  CHECK(m->received_at_ms == 1785578400500);
  CHECK(m->seed == 0x123456789abcdef0ull);  // both words
  CHECK(m->body_too_large);
  CHECK(m->body_error == "body is not valid gzip data");
  CHECK(m->authorization == "Basic d2s6");
  CHECK(m->origin == "https://shop.example");
  CHECK(m->client_ip == "203.0.113.7");
  CHECK(m->access_control_request_headers == "content-type");
  CHECK(m->queue);
  h.received_at_ms = -62167219200001;  // before year 0: a clock the host may have
  CHECK(read_request_meta(encode_request_meta(h))->received_at_ms == -62167219200001);
}

TEST_CASE("request meta: a receivedAt no integer can hold reads 0 (a conversion would trap in wasm)") {
  auto bytes = encode_request_meta(with_url("https://e.example/v1/t"));
  for (double bad : {1e300, -1e300, 0.0 / 0.0}) {
    std::memcpy(&bytes[8], &bad, 8);
    auto m = read_request_meta(bytes);
    REQUIRE(m.has_value());
    CHECK(m->received_at_ms == 0);
  }
  double const fraction = 1785578400500.9;  // truncated, as a host's integral clock
  std::memcpy(&bytes[8], &fraction, 8);
  CHECK(read_request_meta(bytes)->received_at_ms == 1785578400500);
}

TEST_CASE("request meta: strings past the count are empty; a count past the known strings is read up to them") {
  auto h = with_url("https://e.example/v1/t");
  h.body_error = "x";
  auto bytes = encode_request_meta(h);
  // Only method and url: the count says 2, the rest is cut off.
  std::uint32_t const two = 2;
  std::memcpy(&bytes[24], &two, 4);
  auto const url_end = ajs::meta_head_bytes + 4 + h.method.size() + 4 + h.url.size();
  auto m = read_request_meta(bytes.substr(0, url_end));
  REQUIRE(m.has_value());
  CHECK(m->path == "/v1/t");
  CHECK(m->body_error.empty());
  // A newer host's extra strings are skipped.
  bytes = encode_request_meta(h);
  std::uint32_t const more = ajs::meta_string_count + 3;
  std::memcpy(&bytes[24], &more, 4);
  m = read_request_meta(bytes);
  REQUIRE(m.has_value());
  CHECK(m->body_error == "x");
}

TEST_CASE("request meta: what a host must never send is a 500 invalid_meta that says why") {
  auto const format = "request meta is not in the host's format (AJM1: wasm/README.md)";
  CHECK(error_of("") == format);
  CHECK(error_of(R"({"method":"POST","url":"https://e.example/v1/t"})") == format);  // JSON: ABI 1's meta
  auto const good = encode_request_meta(with_url("https://e.example/v1/t"));
  CHECK(error_of(good.substr(0, ajs::meta_head_bytes - 1)) == format);
  CHECK(error_of(good.substr(0, ajs::meta_head_bytes + 2)) == "request meta ends inside its strings");
  CHECK(error_of(good.substr(0, good.size() - 70)) == "request meta ends inside its strings");
  auto huge = good;
  std::uint32_t const past = 0xFFFFFFF0u;
  std::memcpy(&huge[ajs::meta_head_bytes], &past, 4);  // a length past the end, not wrapped around
  CHECK(error_of(huge) == "request meta ends inside its strings");
  CHECK(error_of(encode_request_meta(with_url("edge.example.com/v1/t"))) == "request meta has no absolute url");
  CHECK(error_of(encode_request_meta(with_url("https:///v1/t"))) == "request meta has no absolute url");
}

TEST_CASE(
    "request meta: every prefix of a meta and every byte changed reads as an error or a meta, never past the end") {
  auto h = with_url("https://edge.example.com/v1/t");
  h.authorization = "Basic d2s6";
  h.geo.city = "München";
  h.body_error = "x";
  auto const full = encode_request_meta(h);
  std::size_t read = 0;
  for (std::size_t n = 0; n <= full.size(); ++n) {
    // A copy of exactly n bytes, so that nothing after them can be read as the meta.
    std::string const prefix(full.data(), n);
    auto m = read_request_meta(prefix);
    if (m) ++read;
    // Only a prefix that keeps the url and cuts no string reads: the count says 16 strings.
    CHECK(m.has_value() == (n == full.size()));
  }
  CHECK(read == 1);
  for (std::size_t at = 0; at < full.size(); ++at) {
    for (unsigned char byte : {0x00, 0x7F, 0xFF}) {
      auto changed = full;
      changed[at] = static_cast<char>(byte);
      auto m = read_request_meta(changed);
      if (m) CHECK(m->host.size() + m->path.size() <= full.size());
    }
  }
}
