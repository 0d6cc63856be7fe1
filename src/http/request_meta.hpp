#pragma once
// What the host tells the core about a request besides its body: method, URL, the headers the
// core reads, the host's clock and randomness (the core has neither).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "http/request_geo.hpp"

namespace ajs {

struct request_meta {
  std::string method;  // upper-case
  std::string scheme;  // "https"
  std::string host;    // "edge.example.com" or "127.0.0.1:8787"
  std::string path;    // "/v1/t", without the query
  // Headers, by lower-case name; "" when absent.
  std::string authorization;
  std::string origin;
  std::string client_ip;  // CF-Connecting-IP
  std::string access_control_request_headers;
  std::int64_t received_at_ms = 0;  // host clock, ms since the Unix epoch
  std::uint64_t seed = 0;           // host randomness for generated messageIds
  bool body_too_large = false;      // the host stopped reading (or inflating) past the limit
  std::string body_error;           // the host could not read the body (e.g. corrupt gzip)
  bool queue = false;               // the host delivers through a queue: plan the queue messages too
  request_geo geo;                  // where the visitor is, as far as the edge knows
};

// The meta as the host writes it into wasm memory (host-shims/core/core.mjs writeMeta; the layout
// in wasm/README.md): little-endian words and UTF-8 strings, nothing to format or parse as JSON on
// either side of each request.
//   u32 magic "AJM1" | u32 meta_flags | f64 receivedAt (ms) | u32 seed low | u32 seed high |
//   u32 string count | per string: u32 byte length, then its bytes
// The strings in meta_string's order; those past the count are "".
inline constexpr std::uint32_t meta_magic = 0x314D4A41;  // "AJM1" little-endian
inline constexpr std::size_t meta_head_bytes = 28;       // up to and including the string count

enum meta_flags : std::uint32_t {
  meta_body_too_large = 1u << 0,
  meta_queue = 1u << 1,
  meta_is_eu_country = 1u << 2,
};

enum class meta_string : std::uint32_t {
  method,
  url,
  authorization,
  origin,
  client_ip,  // CF-Connecting-IP
  access_control_request_headers,
  body_error,
  continent,
  country,
  region,
  region_code,
  city,
  postal_code,
  timezone,
  latitude,
  longitude,
};
inline constexpr std::uint32_t meta_string_count = 16;

result<request_meta> read_request_meta(std::string_view bytes);

// What a host knows of a request, as it writes it: tests and the fuzzer call the core as a host does.
struct host_meta {
  std::string method, url, authorization, origin, client_ip, access_control_request_headers, body_error;
  std::int64_t received_at_ms = 0;
  std::uint64_t seed = 0;
  bool body_too_large = false;
  bool queue = false;
  request_geo geo;
};
std::string encode_request_meta(host_meta const& m);

}  // namespace ajs
