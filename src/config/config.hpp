#pragma once
// The configuration (the AJS_EDGE_CONFIG binding), parsed and validated once per isolate.
// Schema: README.md "Configuration".
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"
#include "destinations/destination.hpp"
#include "http/identity_cookie.hpp"
#include "ingest/ip_address.hpp"
#include "route/geo_rules.hpp"

namespace ajs {

// One account of a destination: its settings made into a planner, and the dedup scope of its
// calls: "<config key>:<source id>:<account hash>", the account being what tells one destination
// account from another (endpoint, region, secret binding names).
struct destination_instance {
  std::unique_ptr<destination> impl;
  std::string scope;
};

// An instance a geo rule picks (route/geo_rules.hpp).
struct geo_instance {
  geo_condition when;
  destination_instance instance;
};

struct configured_destination {
  destination_kind const* kind = nullptr;
  destination_instance own;                     // its own settings
  std::vector<geo_instance> geo;                // first match wins; none: `own`
  std::vector<std::string> consent_categories;  // all must be granted when a message carries consent

  destination_instance const& for_visitor(request_geo const& where) const {
    for (auto const& g : geo)
      if (g.when.matches(where)) return g.instance;
    return own;
  }
};

// A Workers Rate Limiting binding the config names: the host checks, at config load, that a
// `required` one is bound (one the config only defaults to may be absent: no limit then).
struct rate_limiter_requirement {
  std::string binding;
  std::string field;
  bool required = false;
};

struct source_config {
  std::string write_key;
  std::string id;  // 16 hex digits of a hash of the writeKey: names the source in keys and logs
  std::string name;
  std::vector<std::string> allowed_origins;  // "*" allows any; empty allows any
  std::string api_host;                      // settings document's apiHost; "" = this Worker's host + /v1
  boost::json::value delivery_strategy;      // pushed to analytics.js in the settings document
  boost::json::value http_config;            // likewise
  std::vector<configured_destination> destinations;
  // Rate Limiting bindings counting this source's requests per writeKey and per client IP; ""
  // when off.
  std::string rate_limit_write_key;
  std::string rate_limit_client_ip;
  // A single message Segment would accept and drop (no userId or anonymousId, a track without an
  // event…: 200, "for all API requests except … large payloads and JSON errors") is refused with
  // 400 and the reason instead ("rejectInvalidEvents": true; default false, Segment's way).
  bool reject_invalid_events = false;
  // What the edge adds and removes before any destination sees a message (README "Enrichment and
  // the IP policy"): "ipAddress" ("full", "masked", "none") and "enrichLocation".
  ip_policy ip = ip_policy::full;
  bool enrich_location = false;
  identity_cookie_config identity_cookie;  // "identityCookie"
  // "residency": "eu" keeps what the host stores of this source's calls (ledger, stored chains,
  // dead letters) in Durable Objects of the EU jurisdiction. It travels in each call's dedup scope
  // (residency_suffix), so the host reads it from the key alone (host-shims/durable/residency.mjs).
  std::string residency;

  bool origin_allowed(std::string_view origin) const;
};

// The end of a dedup scope that names its jurisdiction: ":eu", or "" for none.
inline std::string residency_suffix(std::string_view residency) {
  return residency.empty() ? std::string() : ":" + std::string(residency);
}

struct config {
  std::vector<source_config> sources;
  std::string base_path;  // prefix before /v1 (e.g. "/collect"), "" by default
  // Hosts this Worker serves (e.g. "collect.example.com"): the settings document's apiHost comes
  // from the request's Host only when it is one of them. Empty: any host, never cached publicly.
  std::vector<std::string> hosts;
  bool allow_insecure_endpoints = false;  // http:// destination endpoints (local tests only)
  bool is_default = false;
  std::vector<secret_requirement> secrets;  // checked by the host against its bindings
  std::vector<rate_limiter_requirement> rate_limiters;

  source_config const* find_source(std::string_view write_key) const;
  bool any_source_allows_origin(std::string_view origin) const;
  bool host_allowed(std::string_view host) const;
};

// The default Rate Limiting bindings (wrangler.toml declares them).
inline constexpr std::string_view default_write_key_rate_limiter = "RATE_LIMIT_WRITE_KEY";
inline constexpr std::string_view default_client_ip_rate_limiter = "RATE_LIMIT_CLIENT_IP";

result<config> parse_config(std::string_view json_text);

// With no configuration at all: one demo source whose events go to the capture destination.
inline constexpr std::string_view demo_write_key = "demo-write-key";
config default_config();

}  // namespace ajs
