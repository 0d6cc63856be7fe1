#pragma once
// Runs the core the way a host does (meta bytes in, encoded plan out, decoded again) and gives
// tests readable access to the result.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "handler.hpp"
#include "plan/plan_encoding.hpp"
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

namespace ajs::test {

inline constexpr std::int64_t received_at = 1785578400500;  // 2026-08-01T10:00:00.500Z

struct header_pair {
  std::string name, value, secret;
  secret_format format;
};

struct call {
  std::string destination, method, url, body, message_id, order_key;
  std::vector<header_pair> headers;
  std::uint32_t flags = 0;
  std::string scope;
  std::uint32_t ordinal = 0;
  boost::json::value json() const { return boost::json::parse(body); }
  std::string header(std::string_view name) const {
    for (auto const& h : headers)
      if (h.name == name) return h.secret.empty() ? h.value : "<secret " + h.secret + ">";
    return "";
  }
};

struct outcome {
  std::uint32_t status = 0;
  std::string body;
  std::vector<header_pair> reply_headers;
  std::vector<call> calls;
  std::vector<std::string> notes;        // "kind destination messageId reason"
  std::vector<std::string> rate_limits;  // "binding key"
  std::vector<std::string> sources;      // source ids
  plan_counters counters;
  std::string reply_header(std::string_view name) const {
    for (auto const& h : reply_headers)
      if (h.name == name) return h.value;
    return "";
  }
  boost::json::value json() const { return boost::json::parse(body); }
};

struct request {
  std::string method = "POST";
  std::string url = "https://edge.example.com/v1/t";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool body_too_large = false;
  std::string geo;  // the meta's "geo" object as JSON text; "" for none
};

// The geo facts as a host passes them, from a JSON object's text (tests write them so).
inline request_geo geo_of(std::string const& json) {
  request_geo g;
  if (json.empty()) return g;
  auto const o = boost::json::parse(json).as_object();
  auto text = [&](char const* key, std::string& into) {
    if (auto const* v = o.if_contains(key); v && v->is_string()) into = std::string(v->get_string());
  };
  text("continent", g.continent);
  text("country", g.country);
  text("region", g.region);
  text("regionCode", g.region_code);
  text("city", g.city);
  text("postalCode", g.postal_code);
  text("timezone", g.timezone);
  text("latitude", g.latitude);
  text("longitude", g.longitude);
  if (auto const* v = o.if_contains("isEUCountry")) g.is_eu_country = v->is_bool() && v->get_bool();
  return g;
}

// The meta's bytes, as a host writes them for `r`.
inline std::string meta_bytes(request const& r) {
  host_meta m;
  m.method = r.method;
  m.url = r.url;
  for (auto const& [k, v] : r.headers) {
    if (k == "authorization") m.authorization = v;
    if (k == "origin") m.origin = v;
    if (k == "cf-connecting-ip") m.client_ip = v;
    if (k == "access-control-request-headers") m.access_control_request_headers = v;
  }
  m.received_at_ms = received_at;
  m.seed = 0xff;
  m.body_too_large = r.body_too_large;
  m.geo = geo_of(r.geo);
  return encode_request_meta(m);
}

inline outcome run(config const& cfg, request const& r) {
  auto meta = read_request_meta(meta_bytes(r));
  plan p;
  handle_request(*meta, r.body, cfg, p);
  std::string encoded;
  encode_plan(p, encoded);
  auto decoded = decode_plan(encoded);
  outcome o;
  if (!decoded) return o;
  auto const& d = *decoded;
  o.status = d.status;
  o.body = std::string(d.view(d.reply_body));
  o.counters = d.counters;
  for (auto const& h : d.reply_headers)
    o.reply_headers.push_back({std::string(d.view(h.name)), std::string(d.view(h.value)), "", secret_format::none});
  for (auto const& q : d.requests) {
    call c{std::string(d.view(q.destination)),
           std::string(d.view(q.method)),
           std::string(d.view(q.url)),
           std::string(d.view(q.body)),
           std::string(d.view(q.message_id)),
           std::string(d.view(q.order_key)),
           {},
           q.flags,
           std::string(d.view(q.scope)),
           q.ordinal};
    for (std::uint32_t i = 0; i < q.header_count; ++i) {
      auto const& h = d.request_headers[q.first_header + i];
      c.headers.push_back(
          {std::string(d.view(h.name)), std::string(d.view(h.value)), std::string(d.view(h.secret)), h.format});
    }
    o.calls.push_back(std::move(c));
  }
  for (auto const& l : d.rate_limits)
    o.rate_limits.push_back(std::string(d.view(l.binding)) + " " + std::string(d.view(l.key)));
  for (auto const& s : d.sources) o.sources.push_back(std::string(d.view(s)));
  static constexpr char const* kinds[] = {"dropped", "skipped", "info"};
  for (auto const& n : d.notes)
    o.notes.push_back(std::string(kinds[static_cast<int>(n.kind) % 3]) + " " + std::string(d.view(n.destination)) +
                      " " + std::string(d.view(n.message_id)) + " " + std::string(d.view(n.reason)));
  return o;
}

// A request to https://edge.example.com<path>, run against `cfg`.
inline outcome send_to(config const& cfg, std::string method, std::string const& path,
                       std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {}) {
  request r;
  r.method = std::move(method);
  r.url = "https://edge.example.com" + path;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return run(cfg, r);
}

inline config make_config(std::string_view json) {
  auto c = parse_config(json);
  REQUIRE_MESSAGE(c.has_value(), (c ? std::string() : c.error().message));
  return std::move(*c);
}

// One source "wk" whose only destination is `key`, configured by `settings` (an object's members).
inline std::string one_destination_config(std::string_view key, std::string const& settings) {
  return R"({"sources":[{"writeKey":"wk","destinations":{")" + std::string(key) + R"(":{)" + settings + "}}}]}";
}

inline std::string config_error_of(std::string const& json) {
  auto c = parse_config(json);
  REQUIRE_FALSE(c.has_value());
  return c.error().message;
}

// A single-message call the way analytics.js sends it: the client's timestamp one second before
// its sentAt, so ingest moves it to receivedAt − 1 s (2026-08-01T09:59:59.500Z).
inline request analytics_js_call(std::string const& path, std::string const& fields) {
  return request{"POST",
                 "https://edge.example.com/v1/" + path,
                 {{"cf-connecting-ip", "10.0.0.1"}},
                 R"({"writeKey":"wk","messageId":"ajs-next-1","timestamp":"2026-08-01T09:59:59.000Z",)"
                 R"("sentAt":"2026-08-01T10:00:00.000Z","context":{"library":{"name":"analytics.js"}},)" +
                     fields + "}",
                 false};
}

}  // namespace ajs::test
