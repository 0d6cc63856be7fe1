#include "settings/settings_document.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ajs {

api_host_choice choose_api_host(source_config const* source, request_meta const& meta, config const& cfg) {
  if (source && !source->api_host.empty()) return {source->api_host, false, true};
  api_host_choice c{{}, true, !cfg.hosts.empty()};
  c.api_host = cfg.hosts.empty() || cfg.host_allowed(meta.host) ? meta.host : cfg.hosts.front();
  c.api_host += cfg.base_path;
  c.api_host += "/v1";
  return c;
}

std::string settings_document(std::string_view write_key, source_config const* source, request_meta const& meta,
                              std::string_view api_host, problem const* mistake) {
  namespace bj = boost::json;

  bj::object segment;
  segment["apiKey"] = write_key;
  segment["apiHost"] = api_host;
  segment["protocol"] = meta.scheme == "http" ? "http" : "https";
  segment["addBundledMetadata"] = true;
  segment["unbundledIntegrations"] = bj::array();
  segment["maybeBundledConfigIds"] = bj::object();
  segment["versionSettings"] = bj::object{{"version", "4.4.7"}, {"componentTypes", bj::array{"browser"}}};
  if (source && !source->delivery_strategy.is_null()) segment["deliveryStrategy"] = source->delivery_strategy;
  if (source && !source->http_config.is_null()) segment["httpConfig"] = source->http_config;

  bj::object doc;
  doc["integrations"] = bj::object{{"Segment.io", std::move(segment)}};
  doc["plan"] = bj::object{
      {"track", bj::object{{"__default", bj::object{{"enabled", true}, {"integrations", bj::object()}}}}},
      {"identify", bj::object{{"__default", bj::object{{"enabled", true}}}}},
      {"group", bj::object{{"__default", bj::object{{"enabled", true}}}}},
  };
  doc["metrics"] = bj::object{{"sampleRate", 0}, {"host", api_host}};
  doc["remotePlugins"] = bj::array();
  doc["enabledMiddleware"] = bj::object();
  doc["middlewareSettings"] = bj::object();
  doc["legacyVideoPluginsEnabled"] = false;
  doc["edgeFunction"] = bj::object();
  doc["analyticsNextEnabled"] = true;
  if (mistake) {
    bj::object p{{"code", mistake->code}, {"message", mistake->message}};
    if (!mistake->setting.empty()) p["setting"] = mistake->setting;
    if (!mistake->docs.empty()) p["docs"] = mistake->docs;
    doc["ajsEdge"] = bj::object{{"problem", std::move(p)}};
  }
  return bj::serialize(doc);
}

}  // namespace ajs
