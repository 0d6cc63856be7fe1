// libFuzzer on the core's entry point: any body on any endpoint, with any auth header, must give
// a reply with a known status and a plan that decodes (every span inside the buffer), without
// a crash, a leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "handler.hpp"
#include "ingest/basic_auth.hpp"
#include "plan/plan_encoding.hpp"

namespace {

ajs::config const& fuzz_config() {
  static ajs::config c = [] {
    auto parsed = ajs::parse_config(R"({"sources":[
      {"writeKey":"wk","allowedOrigins":["https://shop.example"],"destinations":{
        "capture":{"endpoint":"http://127.0.0.1:9/cap"},
        "gist":{"apiKey":{"secret":"GIST_API_KEY"},"pages":true,"groups":"company","tags":true},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"}},
        "gainsightPx":{"apiKey":{"secret":"GAINSIGHT_PX_API_KEY"},"region":"europe"}}},
      {"writeKey":"wk2","destinations":{"capture":{},"gist":{"apiKey":{"secret":"GIST_API_KEY"},"groups":"tag"},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"whitelistTrackEvents":["Order Completed"]}}}]})");
    if (!parsed) std::abort();
    return std::move(*parsed);
  }();
  return c;
}

constexpr std::string_view paths[] = {"/v1/t", "/v1/i", "/v1/p", "/v1/g", "/v1/a", "/v1/s", "/v1/batch",
                                      "/v1/b", "/v1/import", "/v1/m", "/v1/projects/wk/settings", "/v1/nope"};
constexpr std::string_view methods[] = {"POST", "GET", "OPTIONS", "HEAD"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size < 1) return 0;
  std::uint8_t const selector = data[0];
  std::string_view body(reinterpret_cast<char const*>(data + 1), size - 1);

  ajs::request_meta meta;
  meta.method = std::string(methods[(selector >> 6) & 3]);
  meta.scheme = "https";
  meta.host = "edge.example.com";
  meta.path = std::string(paths[(selector & 0x0F) % std::size(paths)]);
  if (selector & 0x10) meta.authorization = "Basic " + ajs::base64_encode("wk:");
  if (selector & 0x20) meta.origin = "https://shop.example";
  meta.client_ip = "203.0.113.7";
  meta.received_at_ms = 1785578400500;
  meta.seed = 42;

  ajs::plan plan;
  ajs::handle_request(meta, body, fuzz_config(), plan);
  switch (plan.status) {
    case 200: case 204: case 400: case 401: case 403: case 404: case 405: break;
    default: std::abort();
  }
  std::string encoded;
  ajs::encode_plan(plan, encoded);
  auto decoded = ajs::decode_plan(encoded);
  if (!decoded || decoded->requests.size() != plan.requests.size()) std::abort();
  return 0;
}
