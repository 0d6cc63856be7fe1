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

namespace ajs {

struct configured_destination {
  destination_kind const* kind = nullptr;
  std::vector<std::string> consent_categories;  // all must be granted when a message carries consent
  std::unique_ptr<destination> impl;
};

struct source_config {
  std::string write_key;
  std::string name;
  std::vector<std::string> allowed_origins;  // "*" allows any; empty allows any
  std::string api_host;                      // settings document's apiHost; "" = this Worker's host + /v1
  boost::json::value delivery_strategy;      // pushed to analytics.js in the settings document
  boost::json::value http_config;            // likewise
  std::vector<configured_destination> destinations;

  bool origin_allowed(std::string_view origin) const;
};

struct config {
  std::vector<source_config> sources;
  std::string base_path;  // prefix before /v1 (e.g. "/collect"), "" by default
  bool is_default = false;
  std::vector<secret_requirement> secrets;  // checked by the host against its bindings

  source_config const* find_source(std::string_view write_key) const;
  bool any_source_allows_origin(std::string_view origin) const;
};

result<config> parse_config(std::string_view json_text);

// With no configuration at all: one demo source whose events go to the capture destination.
inline constexpr std::string_view demo_write_key = "demo-write-key";
config default_config();

}  // namespace ajs
