#include "config/config.hpp"

#include <boost/json/parse_options.hpp>
#include <algorithm>

#include "config/json_error.hpp"
#include "destinations/registry.hpp"
#include "json/access.hpp"
#include "json/parse_json.hpp"

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

bool config::host_allowed(std::string_view host) const {
  return std::any_of(hosts.begin(), hosts.end(), [&](std::string const& h) { return h == host; });
}

namespace {

// FNV-1a, 64 bits, as 16 hex digits: short stable names for keys (not a secret, not a MAC: the
// operator, not a client, chooses the writeKeys and endpoints it is applied to).
std::string hash_hex(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 15];
  return out;
}

// What tells one account of a destination from another: its endpoint and region as written, and
// the secret bindings it names (never their values, which the core does not have).
std::string account_text(boost::json::object const& settings, std::vector<secret_requirement> const& secrets,
                         std::size_t first_secret) {
  std::string text;
  for (std::string_view key : {"endpoint", "region"}) {
    if (auto const* v = json::find(settings, key); v && v->is_string()) {
      text += key;
      text += '=';
      text += v->get_string();
      text += '\n';
    }
  }
  for (std::size_t i = first_secret; i < secrets.size(); ++i) text += "secret=" + secrets[i].binding + '\n';
  return text;
}

// "rateLimits": {"writeKey": "BINDING" | null, "clientIp": "BINDING" | null}; a key left out uses
// the default binding, which may be absent from the Worker (then that limit is off).
result<void> parse_rate_limits(settings_reader const& source, source_config& s,
                               std::vector<rate_limiter_requirement>& limiters) {
  auto obj = source.object_or_null("rateLimits");
  if (!obj) return obj.error();
  struct slot {
    std::string_view key;
    std::string_view fallback;
    std::string* binding;
  };
  slot const slots[] = {{"writeKey", default_write_key_rate_limiter, &s.rate_limit_write_key},
                        {"clientIp", default_client_ip_rate_limiter, &s.rate_limit_client_ip}};
  boost::json::object const empty;  // absent: every default applies
  settings_reader reader(*obj ? **obj : empty, source.field("rateLimits"));
  if (auto r = reader.only_keys({"writeKey", "clientIp"}); !r) return r.error();
  for (auto const& sl : slots) {
    auto const* v = json::find(reader.object(), sl.key);
    bool const required = v != nullptr;
    if (v && (v->is_null() || (v->is_bool() && !v->get_bool()))) continue;  // off
    auto name = reader.string(sl.key, false, std::string(sl.fallback));
    if (!name)
      return config_problem(reader.field(sl.key) + ": must name a rate limiting binding, or be null (no limit)");
    if (!valid_binding_name(*name))
      return config_problem(reader.field(sl.key) + ": not a binding name (letters, digits and _)");
    *sl.binding = *name;
    auto it = std::find_if(limiters.begin(), limiters.end(), [&](auto const& l) { return l.binding == *name; });
    if (it == limiters.end())
      limiters.push_back({*name, reader.field(sl.key), required});
    else if (required && !it->required)
      *it = {*name, reader.field(sl.key), true};
  }
  return {};
}

// One account of a destination, from its settings (without "geo").
result<destination_instance> make_instance(destination_kind const& kind, boost::json::object const& settings,
                                           std::string const& path, config& c, source_config const& source) {
  settings_reader reader(settings, path, &c.secrets, c.allow_insecure_endpoints);
  std::size_t const first_secret = c.secrets.size();
  auto impl = kind.make(reader);
  if (!impl) return impl.error();
  destination_instance d;
  d.impl = std::move(*impl);
  d.scope = std::string(kind.config_key) + ":" + source.id + ":" +
            hash_hex(account_text(settings, c.secrets, first_secret)) + residency_suffix(source.residency);
  // A secret another instance already requires is checked once.
  for (std::size_t i = c.secrets.size(); i-- > first_secret;) {
    for (std::size_t j = 0; j < first_secret; ++j) {
      if (c.secrets[j].binding == c.secrets[i].binding && c.secrets[j].pattern == c.secrets[i].pattern) {
        c.secrets.erase(c.secrets.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
  return d;
}

// "geo": [{"when": {…}, "use": {settings laid over the destination's}}, …] (route/geo_rules.hpp).
result<void> parse_geo_rules(destination_kind const& kind, boost::json::array const& rules,
                             boost::json::object const& own, std::string const& path, config& c,
                             source_config const& source, configured_destination& d) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    std::string const rpath = path + "[" + std::to_string(i) + "]";
    auto const* rule = rules[i].if_object();
    if (!rule) return config_problem(rpath + ": must be {\"when\": {…}, \"use\": {…}}");
    settings_reader reader(*rule, rpath);
    if (auto r = reader.only_keys({"when", "use"}); !r) return r.error();
    auto when = reader.object_or_null("when");
    if (!when) return when.error();
    if (!*when) return config_problem(rpath + ".when: required");
    auto condition = parse_geo_condition(settings_reader(**when, reader.field("when")));
    if (!condition) return condition.error();
    auto use = reader.object_or_null("use");
    if (!use) return use.error();
    if (!*use) return config_problem(rpath + ".use: required: the settings this rule changes");
    boost::json::object merged = own;
    for (auto const& kv : **use) {
      if (kv.key() == "geo" || kv.key() == "consentCategories")
        return config_problem(reader.field("use") + "." + std::string(kv.key()) +
                              ": set on the destination, not per rule");
      merged[kv.key()] = kv.value();
    }
    auto instance = make_instance(kind, merged, reader.field("use"), c, source);
    if (!instance) return instance.error();
    d.geo.push_back({std::move(*condition), std::move(*instance)});
  }
  return {};
}

result<configured_destination> parse_destination(destination_kind const& kind, boost::json::object const& settings,
                                                 std::string const& path, config& c, source_config const& source) {
  configured_destination d;
  d.kind = &kind;
  auto consent = settings_reader(settings, path).string_list("consentCategories");
  if (!consent) return consent.error();
  d.consent_categories = std::move(*consent);
  boost::json::object own = settings;
  own.erase("geo");
  auto instance = make_instance(kind, own, path, c, source);
  if (!instance) return instance.error();
  d.own = std::move(*instance);
  if (auto const* rules = json::find(settings, "geo")) {
    auto const* list = rules->if_array();
    if (!list) return config_problem(path + ".geo: must be a list of rules");
    if (auto r = parse_geo_rules(kind, *list, own, path + ".geo", c, source, d); !r) return r.error();
  }
  return d;
}

// "identityCookie": true, or {"domain": "example.com", "maxAgeDays": 365}.
result<void> parse_identity_cookie(settings_reader const& source, identity_cookie_config& c) {
  auto const* v = json::find(source.object(), "identityCookie");
  if (!v || v->is_null() || (v->is_bool() && !v->get_bool())) return {};
  c.enabled = true;
  if (v->is_bool()) return {};
  auto const* o = v->if_object();
  if (!o)
    return config_problem(source.field("identityCookie") +
                          R"(: true, or {"domain": "example.com", "maxAgeDays": 365})");
  settings_reader reader(*o, source.field("identityCookie"));
  if (auto r = reader.only_keys({"domain", "maxAgeDays"}); !r) return r.error();
  auto domain = reader.string("domain", false);
  if (!domain) return domain.error();
  c.domain = std::move(*domain);
  if (!c.domain.empty() && c.domain.front() == '.') c.domain.erase(0, 1);
  bool const host_name = c.domain.size() <= 253 && c.domain.find("..") == std::string::npos &&
                         c.domain.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos;
  if (!host_name || (!c.domain.empty() && (c.domain.back() == '.' || c.domain.front() == '-')))
    return config_problem(reader.field("domain") + ": a lower-case domain name, the site's (\"example.com\")");
  if (auto const* days = json::find(*o, "maxAgeDays")) {
    auto const n = days->is_int64()    ? days->get_int64()
                   : days->is_uint64() ? static_cast<std::int64_t>(days->get_uint64())
                                       : -1;
    if (n < 1 || n > identity_cookie_max_days)
      return config_problem(reader.field("maxAgeDays") + ": a whole number of days from 1 to " +
                            std::to_string(identity_cookie_max_days));
    c.max_age_days = static_cast<std::uint32_t>(n);
  }
  return {};
}

result<source_config> parse_source(boost::json::object const& o, std::string const& path, config& c) {
  settings_reader reader(o, path);
  if (auto r = reader.only_keys({"writeKey", "name", "allowedOrigins", "apiHost", "deliveryStrategy", "httpConfig",
                                 "rateLimits", "rejectInvalidEvents", "ipAddress", "enrichLocation", "identityCookie",
                                 "residency", "destinations"});
      !r)
    return r.error();
  source_config s;
  auto key = reader.string("writeKey", true);
  if (!key) return key.error();
  s.write_key = std::move(*key);
  s.id = hash_hex(s.write_key);
  if (auto r = parse_rate_limits(reader, s, c.rate_limiters); !r) return r.error();
  auto name = reader.string("name", false);
  if (!name) return name.error();
  auto reject_invalid = reader.boolean("rejectInvalidEvents", false);
  if (!reject_invalid) return reject_invalid.error();
  s.reject_invalid_events = *reject_invalid;
  auto ip = reader.string("ipAddress", false, "full");
  if (!ip) return ip.error();
  if (*ip == "full")
    s.ip = ip_policy::full;
  else if (*ip == "masked")
    s.ip = ip_policy::masked;
  else if (*ip == "none")
    s.ip = ip_policy::none;
  else
    return config_problem(reader.field("ipAddress") + ": \"full\", \"masked\" or \"none\"");
  auto location = reader.boolean("enrichLocation", false);
  if (!location) return location.error();
  s.enrich_location = *location;
  if (auto r = parse_identity_cookie(reader, s.identity_cookie); !r) return r.error();
  auto residency = reader.string("residency", false);
  if (!residency) return residency.error();
  if (!residency->empty() && *residency != "eu")
    return config_problem(
        reader.field("residency") +
        ": \"eu\" (the one jurisdiction Durable Objects offer that a source may ask for here), or absent");
  s.residency = std::move(*residency);
  s.name = std::move(*name);
  auto origins = reader.string_list("allowedOrigins");
  if (!origins) return origins.error();
  s.allowed_origins = std::move(*origins);
  auto api_host = reader.string("apiHost", false);
  if (!api_host) return api_host.error();
  s.api_host = std::move(*api_host);
  for (auto [key_name, target] :
       {std::pair{"deliveryStrategy", &s.delivery_strategy}, {"httpConfig", &s.http_config}}) {
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
      auto d = parse_destination(*kind, *settings, dpath, c, s);
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
  // On an error, `consumed` is where parsing stopped: the line and column in the message.
  std::size_t consumed = 0;
  auto const root = json::parse(json_text, ec, {}, opts, &consumed);
  if (ec) return config_problem("AJS_EDGE_CONFIG: " + json_error_text(json_text, consumed, ec));
  auto const* o = root.if_object();
  if (!o) return config_problem("AJS_EDGE_CONFIG: must be a JSON object");
  settings_reader reader(*o, "");
  if (auto r = reader.only_keys({"sources", "basePath", "hosts", "allowInsecureEndpoints"}); !r) return r.error();
  config c;
  auto insecure = reader.boolean("allowInsecureEndpoints", false);
  if (!insecure) return insecure.error();
  c.allow_insecure_endpoints = *insecure;
  auto hosts = reader.string_list("hosts");
  if (!hosts) return hosts.error();
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    auto const& h = (*hosts)[i];
    if (h.empty() || h.find_first_of("/ \t\r\n?#@") != std::string::npos)
      return config_problem("hosts[" + std::to_string(i) +
                            "]: must be a host name, optionally with :port (no scheme or path)");
  }
  c.hosts = std::move(*hosts);
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
    auto s = parse_source(*so, path, c);
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
