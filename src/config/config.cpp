#include "config/config.hpp"

#include <boost/json/parse.hpp>
#include <algorithm>

#include "destinations/registry.hpp"
#include "json/access.hpp"

namespace ajs {

bool source_config::origin_allowed(std::string_view origin) const {
  if (allowed_origins.empty()) return true;
  return std::any_of(allowed_origins.begin(), allowed_origins.end(),
                     [&](std::string const& o) { return o == "*" || o == origin; });
}

source_config const* config::find_source(std::string_view write_key) const {
  if (write_key.empty()) return nullptr;
  for (auto const& s : sources)
    if (s.write_key == write_key) return &s;
  return nullptr;
}

bool config::any_source_allows_origin(std::string_view origin) const {
  return std::any_of(sources.begin(), sources.end(), [&](source_config const& s) { return s.origin_allowed(origin); });
}

namespace {

result<configured_destination> parse_destination(destination_kind const& kind, boost::json::object const& settings,
                                                 std::string const& path, std::vector<secret_requirement>& secrets) {
  settings_reader reader(settings, path, &secrets);
  configured_destination d;
  d.kind = &kind;
  auto consent = reader.string_list("consentCategories");
  if (!consent) return consent.error();
  d.consent_categories = std::move(*consent);
  auto impl = kind.make(reader);
  if (!impl) return impl.error();
  d.impl = std::move(*impl);
  return d;
}

result<source_config> parse_source(boost::json::object const& o, std::string const& path,
                                   std::vector<secret_requirement>& secrets) {
  settings_reader reader(o, path);
  if (auto r = reader.only_keys({"writeKey", "name", "allowedOrigins", "apiHost", "deliveryStrategy", "httpConfig",
                                 "destinations"});
      !r)
    return r.error();
  source_config s;
  auto key = reader.string("writeKey", true);
  if (!key) return key.error();
  s.write_key = std::move(*key);
  auto name = reader.string("name", false);
  if (!name) return name.error();
  s.name = std::move(*name);
  auto origins = reader.string_list("allowedOrigins");
  if (!origins) return origins.error();
  s.allowed_origins = std::move(*origins);
  auto api_host = reader.string("apiHost", false);
  if (!api_host) return api_host.error();
  s.api_host = std::move(*api_host);
  for (auto [key_name, target] : {std::pair{"deliveryStrategy", &s.delivery_strategy}, {"httpConfig", &s.http_config}}) {
    auto obj = reader.object_or_null(key_name);
    if (!obj) return obj.error();
    if (*obj) *target = **obj;
  }
  auto dests = reader.object_or_null("destinations");
  if (!dests) return dests.error();
  if (*dests) {
    for (auto const& kv : **dests) {
      std::string const dpath = reader.field("destinations") + "." + std::string(kv.key());
      auto const* kind = find_destination_kind(kv.key());
      if (!kind) return config_problem(dpath + ": unknown destination (known: " + known_destination_keys() + ")");
      auto const* settings = kv.value().if_object();
      if (!settings) return config_problem(dpath + ": must be an object");
      auto d = parse_destination(*kind, *settings, dpath, secrets);
      if (!d) return d.error();
      s.destinations.push_back(std::move(*d));
    }
  }
  return s;
}

}  // namespace

result<config> parse_config(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 64;
  auto root = boost::json::parse(json_text, ec, {}, opts);
  if (ec) return config_problem("AJS_EDGE_CONFIG: not valid JSON (" + ec.message() + ")");
  auto const* o = root.if_object();
  if (!o) return config_problem("AJS_EDGE_CONFIG: must be a JSON object");
  settings_reader reader(*o, "");
  if (auto r = reader.only_keys({"sources", "basePath"}); !r) return r.error();
  config c;
  auto base = reader.string("basePath", false);
  if (!base) return base.error();
  c.base_path = std::move(*base);
  while (!c.base_path.empty() && c.base_path.back() == '/') c.base_path.pop_back();
  if (!c.base_path.empty() && c.base_path.front() != '/') return config_problem("basePath: must start with /");
  auto const* sources = json::array_at(*o, "sources");
  if (!sources || sources->empty()) return config_problem("sources: required, a non-empty list of sources");
  for (std::size_t i = 0; i < sources->size(); ++i) {
    std::string const path = "sources[" + std::to_string(i) + "]";
    auto const* so = (*sources)[i].if_object();
    if (!so) return config_problem(path + ": must be an object");
    auto s = parse_source(*so, path, c.secrets);
    if (!s) return s.error();
    if (c.find_source(s->write_key)) return config_problem(path + ".writeKey: duplicate writeKey");
    c.sources.push_back(std::move(*s));
  }
  return c;
}

config default_config() {
  // Every destination, so the demo shows what each would receive; the host runs it dry (it
  // prints the planned calls and sends nothing), so the secrets it names need not exist.
  auto c = parse_config(R"({"sources":[{"writeKey":"demo-write-key","name":"Built-in demo source",
      "allowedOrigins":["*"],"destinations":{"capture":{},
        "gist":{"apiKey":{"secret":"DEMO_GIST_API_KEY"},"pages":true,"groups":"company"},
        "gainsight":{"accessKey":{"secret":"DEMO_GAINSIGHT_ACCESS_KEY"}},
        "gainsightPx":{"apiKey":{"secret":"DEMO_GAINSIGHT_PX_API_KEY"}}}}]})");
  c->is_default = true;
  return std::move(*c);
}

}  // namespace ajs
