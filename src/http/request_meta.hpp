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

// {"method","url","headers":{name:value},"receivedAt":ms,"seed":"16 hex digits",
//  "bodyTooLarge":bool,"bodyError":"…","queue":bool,
//  "geo":{"continent","country","region","regionCode","city","postalCode","timezone","latitude",
//         "longitude" (strings),"isEUCountry":bool}}
result<request_meta> parse_request_meta(std::string_view json_text);

}  // namespace ajs
