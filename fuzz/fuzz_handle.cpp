// libFuzzer through the real C ABI (wasm/exports.cpp linked natively): ajs_configure with one of
// several configurations, ajs_handle with the request meta as a host writes it plus the body,
// then the output read back with ajs_output_ptr/len and decoded with ajs::decode_plan.
//
// Input layout (RELIABILITY.md "Fuzzing"):
//   byte 0  configuration (index into `configs`, modulo)
//   byte 1  bits 0-2 method, 3-4 path prefix (basePath / none / wrong), 5 query string,
//           6 trailing slash, 7 body anomaly (bodyTooLarge or bodyError, chosen by byte 4 bit 6)
//   byte 2  bits 0-6 endpoint path, 7 Host header variant
//   byte 3  bits 0-1 source whose writeKey the auth and settings path use, 2-4 auth form, 5-7 origin
//   byte 4  bits 0-1 cf-connecting-ip, 2-3 access-control-request-headers, 4-5 receivedAt,
//           6 which body anomaly, 7 seed
//   rest    the body
//
// Every oracle that fails prints "==ajs-fuzz== ORACLE <name>: <detail>" and the request to stderr,
// then aborts, so libFuzzer keeps the input as a crash artifact.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/request_meta.hpp"
#include "ingest/limits.hpp"
#include "ingest/lone_surrogates.hpp"
#include "json/parse_json.hpp"
#include "json/serialized_size.hpp"
#include "plan/plan.hpp"
#include "plan/plan_encoding.hpp"
#include "plan/queue_messages.hpp"

extern "C" {
int ajs_abi_version();
void* ajs_alloc(std::size_t n);
void ajs_free(void* p);
char const* ajs_output_ptr();
std::size_t ajs_output_len();
int ajs_configure(char const* text, std::size_t length);
int ajs_handle(char const* meta_bytes, std::size_t meta_length, char const* body, std::size_t body_length);
}

namespace {

namespace bj = boost::json;

// ---------------------------------------------------------------------------------------------
// Configurations. Every endpoint is https:// (http:// needs "allowInsecureEndpoints": true).
// `text == nullptr` selects the built-in demo (ajs_configure with length 0); `shape` is then the
// demo's configuration, used only to know its sources and endpoints.

struct fuzz_config {
  char const* name;
  char const* text;
  char const* shape;
};

constexpr fuzz_config configs[] = {
    {"full", R"({"hosts":["edge.example.com"],"sources":[{"writeKey":"wk-full","name":"Full",
      "allowedOrigins":["https://shop.example"],"rateLimits":{"writeKey":"RL_FULL_WK","clientIp":"RL_FULL_IP"},
      "destinations":{
        "capture":{"endpoint":"https://capture.fuzz.test/hook"},
        "gist":{"apiKey":{"secret":"GIST_API_KEY"},"endpoint":"https://gist.fuzz.test","pages":true,
                "groups":"company","tags":true},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"endpoint":"https://gainsight.fuzz.test"},
        "gainsightPx":{"apiKey":{"secret":"GAINSIGHT_PX_API_KEY"},"region":"europe","endpoint":"https://px.fuzz.test/"}}}]})",
     nullptr},
    {"basepath-whitelist-tagsoff", R"({"basePath":"/collect","sources":[
      {"writeKey":"wk-a","allowedOrigins":["*"],"destinations":{
        "gist":{"apiKey":{"secret":"GIST_KEY_A"},"endpoint":"https://gist-a.fuzz.test","tags":false,
                "groups":"tag","pages":true,"pageEventName":"Viewed Page"},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_KEY_A"},"endpoint":"https://gainsight-a.fuzz.test",
                     "whitelistTrackEvents":["Order Completed","Signed Up"]}}},
      {"writeKey":"wk-b","allowedOrigins":["https://b.example"],"rateLimits":{"writeKey":null,"clientIp":null},
       "destinations":{
        "capture":{},
        "gainsightPx":{"apiKey":{"secret":"PX_KEY_B"}}}}]})",
     nullptr},
    {"consent", R"({"sources":[{"writeKey":"wk-consent","allowedOrigins":["https://a.example","https://b.example"],
      "destinations":{
        "capture":{"endpoint":"https://capture.fuzz.test","consentCategories":[]},
        "gist":{"apiKey":{"secret":"GIST_API_KEY"},"endpoint":"https://gist.fuzz.test","tags":true,
                "groups":"company","consentCategories":["analytics"]},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"endpoint":"https://gainsight.fuzz.test",
                     "consentCategories":["analytics","marketing"]},
        "gainsightPx":{"apiKey":{"secret":"GAINSIGHT_PX_API_KEY"},"region":"us2","consentCategories":["functional"]}}}]})",
     nullptr},
    {"multi-source", R"({"basePath":"/edge/","sources":[
      {"writeKey":"wk-1","name":"one","destinations":{
        "gist":{"apiKey":{"secret":"GIST_ONE"},"endpoint":"https://gist-1.fuzz.test","tags":true,"groups":"tag"}}},
      {"writeKey":"wk-2","allowedOrigins":["https://two.example"],"destinations":{
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_TWO"},"endpoint":"https://gainsight-2.fuzz.test"},
        "gainsightPx":{"apiKey":{"secret":"PX_TWO"},"region":"us2","endpoint":"https://px-2.fuzz.test"}}},
      {"writeKey":"wk-3","allowedOrigins":[],"destinations":{}},
      {"writeKey":"wk-4","allowedOrigins":["https://four.example","https://shop.example"],"rateLimits":{"clientIp":false},
       "destinations":{
        "capture":{"endpoint":"https://capture-4.fuzz.test/in"},
        "gist":{"apiKey":{"secret":"GIST_FOUR"},"endpoint":"https://gist-4.fuzz.test","groups":"off"}}},
      {"writeKey":"wk-twin-1","destinations":{
        "gist":{"apiKey":{"secret":"GIST_TWIN"},"endpoint":"https://gist-twin.fuzz.test","tags":true}}},
      {"writeKey":"wk-twin-2","destinations":{
        "gist":{"apiKey":{"secret":"GIST_TWIN"},"endpoint":"https://gist-twin.fuzz.test","tags":true}}}]})",
     nullptr},
    {"default-hosts", R"({"sources":[{"writeKey":"wk-default","allowedOrigins":["https://shop.example","*"],
      "apiHost":"edge.fuzz.test/v1","deliveryStrategy":{"strategy":"batching","config":{"size":10,"timeout":5000}},
      "httpConfig":{"maxRetries":3},
      "destinations":{
        "gist":{"apiKey":{"secret":"GIST_API_KEY"}},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"whitelistTrackEvents":["Order Completed"]},
        "gainsightPx":{"apiKey":{"secret":"GAINSIGHT_PX_API_KEY"}}}}]})",
     nullptr},
    {"demo", nullptr, R"({"sources":[{"writeKey":"demo-write-key","allowedOrigins":["*"],"destinations":{"capture":{},
        "gist":{"apiKey":{"secret":"DEMO_GIST_API_KEY"}},"gainsight":{"accessKey":{"secret":"DEMO_GAINSIGHT_ACCESS_KEY"}},
        "gainsightPx":{"apiKey":{"secret":"DEMO_GAINSIGHT_PX_API_KEY"}}}}]})"},
    {"tags-consent-basepath", R"({"basePath":"/a/b","sources":[
      {"writeKey":"wk-t","allowedOrigins":["https://shop.example","https://other.example"],"destinations":{
        "gist":{"apiKey":{"secret":"GIST_API_KEY"},"endpoint":"https://gist.fuzz.test/api/","tags":true,
                "groups":"tag","pages":true,"consentCategories":["ads"]},
        "gainsightPx":{"apiKey":{"secret":"PX_KEY"},"endpoint":"https://px.fuzz.test"}}},
      {"writeKey":"wk-u","destinations":{
        "gist":{"apiKey":{"secret":"GIST_API_KEY_U"},"endpoint":"https://gist-u.fuzz.test","tags":false,"groups":"company"},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_U"},"endpoint":"https://gainsight-u.fuzz.test",
                     "whitelistTrackEvents":["A"],"consentCategories":["analytics"]}}}]})",
     nullptr},
    // Issue #17: geo rules, location enrichment, the IP policy, the id cookie and residency; the
    // meta's geo facts come from the selector's first byte (make_request).
    {"edge-facts", R"({"sources":[
      {"writeKey":"wk-edge","allowedOrigins":["https://shop.example"],"enrichLocation":true,"ipAddress":"masked",
       "identityCookie":{"domain":"shop.example","maxAgeDays":30},"residency":"eu","destinations":{
        "capture":{"endpoint":"https://capture.fuzz.test"},
        "gist":{"apiKey":{"secret":"GIST_API_KEY"},"endpoint":"https://gist.fuzz.test","pages":true,
                "geo":[{"when":{"continent":["EU"]},"use":{"apiKey":{"secret":"GIST_EU"},"endpoint":"https://gist-eu.fuzz.test"}}]},
        "gainsightPx":{"apiKey":{"secret":"PX_US"},"endpoint":"https://px.fuzz.test",
                "geo":[{"when":{"country":["CH"]},"use":{"apiKey":{"secret":"PX_CH"}}},
                       {"when":{"isEUCountry":true},"use":{"apiKey":{"secret":"PX_EU"},"region":"europe","endpoint":"https://px-eu.fuzz.test"}}]}}},
      {"writeKey":"wk-edge-2","ipAddress":"none","identityCookie":true,"destinations":{
        "capture":{"endpoint":"https://capture-2.fuzz.test"},
        "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"endpoint":"https://gainsight.fuzz.test"}}}]})",
     nullptr},
};
constexpr std::size_t config_count = std::size(configs);

// What the oracles need to know about a configuration.
struct source_info {
  std::string write_key;
  std::vector<std::string> origins;  // empty: any
  bool api_host = false;             // the settings document's apiHost is configured
  bool write_key_limited = true;     // a rate limit per writeKey (rateLimits.writeKey not null/false)
  std::string ip_policy = "full";    // "ipAddress"
  bool identity_cookie = false;      // "identityCookie"
};
struct config_info {
  std::string base_path;
  std::vector<std::string> hosts;  // the config's "hosts": the only ones a settings document names
  std::vector<source_info> sources;
  std::vector<std::string> destination_keys;
  std::vector<std::string> url_prefixes;     // a URL is one of these or one of these + "/…"
  std::vector<std::string> secret_bindings;  // from ajs_configure's output
  std::vector<std::string> rate_limiters;    // likewise
};

// ---------------------------------------------------------------------------------------------
// Failure reporting.

std::string current_case;  // the request being planned, for the report

[[noreturn]] void oracle_failed(char const* oracle, std::string_view detail) {
  std::fprintf(stderr, "\n==ajs-fuzz== ORACLE %s: %.*s\n==ajs-fuzz== request: %s\n", oracle,
               static_cast<int>(std::min<std::size_t>(detail.size(), 2000)), detail.data(), current_case.c_str());
  std::fflush(stderr);
  std::abort();
}

// The detail is built only when the oracle fails.
#define CHECK(ok, oracle, detail)                 \
  do {                                            \
    if (!(ok)) oracle_failed((oracle), (detail)); \
  } while (0)

std::string clip(std::string_view s, std::size_t n = 300) {
  return s.size() <= n ? std::string(s) : std::string(s.substr(0, n)) + "…(" + std::to_string(s.size()) + " bytes)";
}

// ---------------------------------------------------------------------------------------------
// JSON validation without building a DOM: boost::json's parser with a handler that only tracks
// depth and the keys of the root object.

struct validating_handler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::size_t depth = 0;
  bool root_is_object = false;
  bool root_has_write_key = false;
  std::string key;

  using ec_t = boost::system::error_code;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return ++depth, true; }
  bool on_array_end(std::size_t, ec_t&) { return --depth, true; }
  bool on_object_begin(ec_t&) {
    if (depth == 0) root_is_object = true;
    return ++depth, true;
  }
  bool on_object_end(std::size_t, ec_t&) { return --depth, true; }
  bool on_string_part(bj::string_view, std::size_t, ec_t&) { return true; }
  bool on_string(bj::string_view, std::size_t, ec_t&) { return true; }
  bool on_key_part(bj::string_view s, std::size_t, ec_t&) {
    if (depth == 1 && key.size() < 16) key.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, ec_t&) {
    if (depth == 1) {
      if (key.size() < 16) key.append(s.data(), s.size());
      if (key == "writeKey") root_has_write_key = true;
      key.clear();
    }
    return true;
  }
  bool on_number_part(bj::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t, bj::string_view, ec_t&) { return true; }
  bool on_uint64(std::uint64_t, bj::string_view, ec_t&) { return true; }
  bool on_double(double, bj::string_view, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(bj::string_view, ec_t&) { return true; }
  bool on_comment(bj::string_view, ec_t&) { return true; }
};

struct json_check {
  bool valid = false;
  bool root_is_object = false;
  bool root_has_write_key = false;
  std::string error;
};

json_check validate_json(std::string_view text) {
  bj::parse_options opts;
  opts.max_depth = 1024;  // outgoing bodies may nest a little deeper than the 64 allowed in
  bj::basic_parser<validating_handler> p(opts);
  boost::system::error_code ec;
  std::size_t const n = p.write_some(false, text.data(), text.size(), ec);
  json_check r;
  if (ec || n != text.size()) {
    r.error = ec ? ec.message() : "trailing bytes";
    return r;
  }
  r.valid = true;
  r.root_is_object = p.handler().root_is_object;
  r.root_has_write_key = p.handler().root_has_write_key;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Configuration state: reconfigure only when the selected configuration changes.

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += table[v >> 18 & 63], out += table[v >> 12 & 63], out += table[v >> 6 & 63], out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += table[v >> 18 & 63], out += table[v >> 12 & 63], out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += table[v >> 18 & 63], out += table[v >> 12 & 63], out += table[v >> 6 & 63], out += '=';
  }
  return out;
}

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string default_url(std::string_view key, bj::object const& settings) {
  if (key == "capture") return "capture:log";
  if (key == "gist") return "https://api.getgist.com";
  if (key == "gainsight") return "https://event.gainsight.com";
  if (key == "gainsightPx") {
    auto const* region = settings.if_contains("region");
    std::string_view r = region && region->is_string() ? std::string_view(region->get_string()) : "north_america";
    if (r == "europe") return "https://segment-esp-eu.aptrinsic.com";
    if (r == "us2") return "https://segment-esp-us2.aptrinsic.com";
    return "https://segment-esp.aptrinsic.com";
  }
  oracle_failed("fuzzer-config", "unknown destination " + std::string(key));
}

config_info describe(fuzz_config const& fc) {
  config_info info;
  boost::system::error_code ec;
  bj::value root = bj::parse(fc.text ? fc.text : fc.shape, ec);
  if (ec) oracle_failed("fuzzer-config", std::string(fc.name) + ": " + ec.message());
  auto const& o = root.get_object();
  if (auto const* b = o.if_contains("basePath")) info.base_path = strip_slashes(std::string(b->get_string()));
  if (auto const* hosts = o.if_contains("hosts"))
    for (auto const& h : hosts->get_array()) info.hosts.emplace_back(h.get_string());
  for (auto const& sv : o.at("sources").get_array()) {
    auto const& so = sv.get_object();
    source_info s;
    s.write_key = std::string(so.at("writeKey").get_string());
    if (auto const* origins = so.if_contains("allowedOrigins"))
      for (auto const& origin : origins->get_array()) s.origins.emplace_back(origin.get_string());
    s.api_host = so.contains("apiHost");
    if (auto const* ip = so.if_contains("ipAddress")) s.ip_policy = std::string(ip->get_string());
    s.identity_cookie = so.contains("identityCookie");
    if (auto const* limits = so.if_contains("rateLimits"))
      if (auto const* wk = limits->get_object().if_contains("writeKey"))
        s.write_key_limited = !(wk->is_null() || (wk->is_bool() && !wk->get_bool()));
    if (auto const* dests = so.if_contains("destinations"))
      for (auto const& kv : dests->get_object()) {
        std::string key(kv.key());
        auto const& settings = kv.value().get_object();
        auto const* endpoint = settings.if_contains("endpoint");
        info.url_prefixes.push_back(endpoint ? strip_slashes(std::string(endpoint->get_string()))
                                             : default_url(key, settings));
        // A geo rule's instance: the destination's settings with the rule's `use` over them.
        if (auto const* rules = settings.if_contains("geo"))
          for (auto const& rule : rules->get_array()) {
            bj::object merged = settings;
            for (auto const& u : rule.get_object().at("use").get_object()) merged[u.key()] = u.value();
            auto const* e = merged.if_contains("endpoint");
            info.url_prefixes.push_back(e ? strip_slashes(std::string(e->get_string())) : default_url(key, merged));
          }
        if (std::find(info.destination_keys.begin(), info.destination_keys.end(), key) == info.destination_keys.end())
          info.destination_keys.push_back(key);
      }
    info.sources.push_back(std::move(s));
  }
  return info;
}

config_info const& select_config(std::size_t index) {
  static std::size_t current = config_count;
  static config_info info;
  if (index == current) return info;
  fuzz_config const& fc = configs[index];
  std::string text = fc.text ? fc.text : "";
  // As a host does: allocate in the module, copy in, call, free.
  char* buf = static_cast<char*>(ajs_alloc(text.size()));
  std::memcpy(buf, text.data(), text.size());
  int const rc = ajs_configure(buf, text.size());
  ajs_free(buf);
  std::string const out(ajs_output_ptr(), ajs_output_len());
  current_case = std::string("configure ") + fc.name;
  CHECK(rc == 0, "configure", std::string(fc.name) + " refused: " + out);
  info = describe(fc);
  boost::system::error_code ec;
  bj::value described = bj::parse(out, ec);
  CHECK(!ec && described.is_object(), "configure-output", out);
  auto const* secrets = described.get_object().if_contains("secrets");
  CHECK(secrets && secrets->is_array(), "configure-output", "no secrets list: " + out);
  for (auto const& s : secrets->get_array()) {
    auto const* b = s.is_object() ? s.get_object().if_contains("binding") : nullptr;
    CHECK(b && b->is_string(), "configure-output", "secret without binding: " + out);
    info.secret_bindings.emplace_back(b->get_string());
  }
  CHECK(!info.secret_bindings.empty(), "configure-output", "every fuzz config names secrets: " + out);
  if (auto const* limiters = described.get_object().if_contains("rateLimiters"); limiters && limiters->is_array())
    for (auto const& l : limiters->get_array())
      if (auto const* b = l.is_object() ? l.get_object().if_contains("binding") : nullptr; b && b->is_string())
        info.rate_limiters.emplace_back(b->get_string());
  current = index;
  return info;
}

// ---------------------------------------------------------------------------------------------
// The request.

enum class path_kind { single, batch, settings, other };
struct path_choice {
  std::string_view path;  // "{wk}" is replaced with the selected writeKey
  path_kind kind;
};
constexpr path_choice paths[] = {
    {"/v1/t", path_kind::single},
    {"/v1/track", path_kind::single},
    {"/v1/i", path_kind::single},
    {"/v1/identify", path_kind::single},
    {"/v1/p", path_kind::single},
    {"/v1/page", path_kind::single},
    {"/v1/s", path_kind::single},
    {"/v1/screen", path_kind::single},
    {"/v1/g", path_kind::single},
    {"/v1/group", path_kind::single},
    {"/v1/a", path_kind::single},
    {"/v1/alias", path_kind::single},
    {"/v1/b", path_kind::batch},
    {"/v1/batch", path_kind::batch},
    {"/v1/import", path_kind::batch},
    {"/v1/b", path_kind::batch},
    {"/v1/batch", path_kind::batch},
    {"/v1/t", path_kind::single},
    {"/v1/i", path_kind::single},
    {"/v1/m", path_kind::other},
    {"/v1/projects/{wk}/settings", path_kind::settings},
    {"/projects/{wk}/settings", path_kind::settings},
    {"/v1/projects/unknown-key/settings", path_kind::settings},
    {"/v1/projects//settings", path_kind::other},
    {"/v1/", path_kind::other},
    {"/v1/x", path_kind::other},
    {"/", path_kind::other},
    {"/v1/t/extra", path_kind::other},
    {"/V1/T", path_kind::other},
    {"/v1//t", path_kind::other},
};
constexpr std::string_view methods[] = {"POST", "POST", "POST", "OPTIONS", "GET", "HEAD", "PUT", "post"};
constexpr std::string_view hosts[] = {"edge.example.com", "evil.example:8443"};

struct request {
  std::string meta;       // the meta's bytes, as a host writes them
  std::string meta_text;  // what the meta says, for a failure's report
  std::string host;
  std::string method;  // as the core sees it (upper-case)
  std::string authorization;
  std::string origin;
  path_kind kind = path_kind::other;
  bool queue = false;  // the meta asks for queue messages
};

request make_request(config_info const& cfg, std::uint8_t const* h) {
  request r;
  source_info const& source = cfg.sources[(h[3] & 3) % cfg.sources.size()];
  source_info const& other = cfg.sources[cfg.sources.size() - 1 - (h[3] & 3) % cfg.sources.size()];

  std::string method(methods[h[1] & 7]);
  r.method = method;
  std::transform(r.method.begin(), r.method.end(), r.method.begin(), [](unsigned char c) { return std::toupper(c); });

  path_choice const& pc = paths[(h[2] & 0x7F) % std::size(paths)];
  std::string path(pc.path);
  if (auto at = path.find("{wk}"); at != path.npos) path.replace(at, 4, source.write_key);
  switch ((h[1] >> 3) & 3) {
    case 0:
    case 1: path = cfg.base_path + path; break;
    case 2: break;
    case 3: path = "/wrong" + path; break;
  }
  r.kind = ((h[1] >> 3) & 3) == 3 ? path_kind::other : pc.kind;
  if (h[1] & 0x40) path += "/";
  if (h[1] & 0x20) path += "?writeKey=" + source.write_key + "#frag";
  r.host = hosts[h[2] >> 7];
  std::string const url = "https://" + r.host + path;

  switch ((h[3] >> 2) & 7) {
    case 0: break;
    case 1: r.authorization = "Basic " + base64(source.write_key + ":"); break;
    case 2: r.authorization = "Basic " + base64(source.write_key); break;
    case 3: r.authorization = "basic " + base64(source.write_key + ":"); break;
    case 4: r.authorization = "Basic " + base64(source.write_key + ":a-password"); break;
    case 5: r.authorization = "Basic %%not base64%%"; break;
    case 6: r.authorization = "Bearer " + source.write_key; break;
    case 7: r.authorization = "Basic " + base64("unknown-key:"); break;
  }
  switch (h[3] >> 5) {
    case 0:
    case 1: break;
    case 2: r.origin = source.origins.empty() ? "https://shop.example" : source.origins.front(); break;
    case 3: r.origin = "https://evil.example"; break;
    case 4: r.origin = "null"; break;
    case 5: r.origin = other.origins.empty() ? "https://a.example" : other.origins.back(); break;
    case 6: r.origin = "https://shop.example"; break;
    case 7: r.origin = "HTTPS://SHOP.EXAMPLE"; break;
  }

  ajs::host_meta meta;
  meta.method = method;
  meta.url = url;
  meta.authorization = r.authorization;
  meta.origin = r.origin;
  switch (h[4] & 3) {
    case 0: meta.client_ip = "203.0.113.7"; break;
    case 1: break;
    case 2: meta.client_ip = "2001:db8::1"; break;
    case 3: meta.client_ip = "\"><img src=x>\\"; break;
  }
  switch ((h[4] >> 2) & 3) {
    case 0: break;
    case 1: meta.access_control_request_headers = "authorization,content-type"; break;
    case 2: meta.access_control_request_headers = "X-Custom-A, x_custom_b"; break;
    case 3: meta.access_control_request_headers = std::string("content-type\r\nset-cookie: a=b\0x", 31); break;
  }
  switch ((h[4] >> 4) & 3) {
    case 0: meta.received_at_ms = 1785578400500; break;
    case 1: meta.received_at_ms = 0; break;
    case 2: meta.received_at_ms = -62167219200001; break;
    case 3: meta.received_at_ms = 8640000000000000; break;
  }
  meta.seed = (h[4] & 0x80) ? 0x9f86d081884c7d65ull : 0xffffffffffffffffull;
  if (h[1] & 0x80) {
    if (h[4] & 0x40)
      meta.body_too_large = true;
    else
      meta.body_error = "incorrect header check";
  }
  r.queue = (h[0] & 0x80) != 0;
  meta.queue = r.queue;  // the queue messages too (the config: h[0] % config_count)
  // Where the visitor is (issue #17): nothing, an EU visitor, a US one, or hostile values.
  auto& g = meta.geo;
  switch ((h[0] >> 3) & 3) {
    case 0: break;
    case 1: g = {"EU", "DE", "Bavaria", "BY", "Munich", "80331", "Europe/Berlin", "48.13743", "11.57549", true}; break;
    case 2:
      g.continent = "NA";
      g.country = "US";
      g.city = "Austin";
      g.latitude = "30.27";
      g.longitude = "-97.74";
      break;
    case 3:
      g.continent = "EU\"";
      g.country = "CH";
      g.city = "\"><img src=x>\u2028";
      g.timezone = std::string(101, 'z');
      g.latitude = "1e999";
      g.longitude = "--1";
      g.region = std::string("a\0b", 3);
      break;
  }
  r.meta = ajs::encode_request_meta(meta);
  r.meta_text = "method=" + method + " url=" + url + " authorization=" + r.authorization + " origin=" + r.origin +
                " ip=" + meta.client_ip + " receivedAt=" + std::to_string(meta.received_at_ms) +
                (meta.body_too_large ? " bodyTooLarge" : "") + (meta.body_error.empty() ? "" : " bodyError") +
                (meta.queue ? " queue" : "") + " geo=" + std::to_string((h[0] >> 3) & 3);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Oracles on the plan.

bool known_status(std::uint32_t s) {
  switch (s) {
    case 200:
    case 204:
    case 400:
    case 401:
    case 403:
    case 404:
    case 405:
    case 413:
    case 429: return true;
    default: return false;
  }
}

bool clean_header_text(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header names that carry credentials: their value must come from a secret binding, never be
// written in the plan.
bool credential_header(std::string_view lowered) {
  return lowered == "authorization" || lowered == "accesskey" || lowered == "x-api-key" || lowered == "api-key" ||
         lowered == "apikey" || lowered == "proxy-authorization" || lowered == "cookie";
}

bool url_allowed(config_info const& cfg, std::string_view url) {
  for (auto const& prefix : cfg.url_prefixes) {
    if (url == prefix) return true;
    if (url.size() > prefix.size() && url.substr(0, prefix.size()) == prefix && url[prefix.size()] == '/') return true;
  }
  return false;
}

// Does the request body carry `"writeKey": wk` somewhere that is passed through as it is (not
// the message's own writeKey, not the batch envelope's, not a batch item's own)?
bool passthrough_write_key(bj::value const& v, std::string_view wk, int depth) {
  if (depth > 200) return true;
  if (auto const* o = v.if_object()) {
    for (auto const& kv : *o) {
      if (kv.key() == "writeKey" && kv.value().is_string() && kv.value().get_string() == wk) return true;
      if (passthrough_write_key(kv.value(), wk, depth + 1)) return true;
    }
  } else if (auto const* a = v.if_array()) {
    for (auto const& item : *a)
      if (passthrough_write_key(item, wk, depth + 1)) return true;
  }
  return false;
}

bool input_passes_write_key_through(std::string_view body, path_kind kind, std::string_view wk) {
  boost::system::error_code ec;
  bj::parse_options opts;
  opts.max_depth = 256;
  bj::value root = bj::parse(body, ec, {}, opts);
  if (ec || !root.is_object()) return true;  // cannot tell: do not accuse
  for (auto const& kv : root.get_object()) {
    if (kv.key() == "writeKey") continue;  // the message's (or the envelope's) own: stripped
    if (kind == path_kind::batch && kv.key() == "batch" && kv.value().is_array()) {
      for (auto const& item : kv.value().get_array()) {
        if (auto const* io = item.if_object()) {
          for (auto const& ikv : *io)
            if (ikv.key() != "writeKey" && passthrough_write_key(ikv.value(), wk, 2)) return true;
        } else if (passthrough_write_key(item, wk, 2)) {
          return true;
        }
      }
      continue;
    }
    if (passthrough_write_key(kv.value(), wk, 1)) return true;
  }
  return false;
}

// AJS_FUZZ_DUMP=1 (when replaying one input): print the plan to stderr, for triage.
bool const dump_plans = std::getenv("AJS_FUZZ_DUMP") != nullptr;

void dump(ajs::plan const& p) {
  auto v = [&](ajs::byte_span s) { return std::string(p.view(s)); };
  std::fprintf(stderr, "plan: status %u, %zu requests, %zu notes, counters %u/%u/%u, reply %s\n", p.status,
               p.requests.size(), p.notes.size(), p.counters.events_received, p.counters.events_accepted,
               p.counters.events_rejected, clip(v(p.reply_body), 400).c_str());
  for (auto const& r : p.requests)
    std::fprintf(stderr, "  %s %s id=%s ord=%u scope=%s body=%u: %s\n", v(r.destination).c_str(), v(r.url).c_str(),
                 v(r.message_id).c_str(), r.ordinal, v(r.scope).c_str(), r.body.length, clip(v(r.body), 200).c_str());
  for (auto const& n : p.notes)
    std::fprintf(stderr, "  note %u %s %s %s\n", static_cast<unsigned>(n.kind), v(n.destination).c_str(),
                 v(n.message_id).c_str(), v(n.reason).c_str());
  for (auto const& l : p.rate_limits)
    std::fprintf(stderr, "  rate limit %s %s\n", v(l.binding).c_str(), v(l.key).c_str());
}

constexpr std::size_t body_slack = 1024;  // over limits::event_bytes, for passthrough bodies

// Known bugs, not yet fixed, that the fuzzer should look past so that it can find others:
// AJS_FUZZ_OPEN_BUGS="tag,tag" (scripts/fuzz.sh sets it from fuzz/regressions/open-<tag>--*).
//   number-expansion: numbers re-serialized longer than sent ("1e20" → 21 digits, at most 5.25x)
//                     let a passthrough body outgrow the per-message limit.
bool open_bug(std::string_view tag) {
  static std::string const list = [] {
    char const* v = std::getenv("AJS_FUZZ_OPEN_BUGS");
    return "," + std::string(v ? v : "") + ",";
  }();
  return list.find("," + std::string(tag) + ",") != std::string::npos;
}

// Queue messages: asked for, every planned call is in exactly one chain of one message, as the
// plan has it (URL, body, messageId, key; URL and scope may be the chain's), each chain's calls in
// plan order; a message is its JSON envelope, a newline and the calls' bodies, whose lengths add
// up to the rest exactly; each message within the limit, or a lone chain flagged as over it. Not
// asked for, none.
void check_queue_messages(ajs::plan const& p, request const& req) {
  if (!req.queue || p.requests.empty()) {
    CHECK(p.messages.empty(), "queue-messages", std::to_string(p.messages.size()) + " messages not asked for");
    return;
  }
  // Members read without throwing: a missing one or another type reads as this marker.
  static boost::json::value const missing;
  auto member = [](boost::json::object const* o, std::string_view key) -> boost::json::value const& {
    auto const* v = o ? o->if_contains(key) : nullptr;
    return v ? *v : missing;
  };
  auto text = [](boost::json::value const& v) {
    return v.is_string() ? std::string_view(v.get_string()) : std::string_view("\x01(not a string)");
  };
  auto is_int = [](boost::json::value const& v, std::int64_t n) { return v.is_int64() && v.get_int64() == n; };
  std::size_t calls = 0;
  std::vector<std::pair<std::string, std::string>> chain_ids;  // destination, order key: one chain each
  for (std::size_t m = 0; m < p.messages.size(); ++m) {
    auto const& msg = p.messages[m];
    auto const where = "message " + std::to_string(m);
    CHECK(std::size_t{msg.body.offset} + msg.body.length <= p.bytes.size(), "plan-span", where + " out of bounds");
    auto const bytes = p.view(msg.body);
    auto const newline = bytes.find('\n');
    CHECK(newline != std::string_view::npos, "queue-messages", where + ": no newline after the envelope");
    auto const envelope = bytes.substr(0, newline);
    std::string_view bodies = newline == std::string_view::npos ? std::string_view() : bytes.substr(newline + 1);
    boost::system::error_code ec;
    auto const v = boost::json::parse(envelope, ec);
    CHECK(!ec && v.is_object(), "queue-messages", where + ": not a JSON object: " + clip(envelope));
    auto const* o = v.if_object();
    bool const oversized = (msg.flags & ajs::oversized_chain) != 0;
    CHECK(oversized == (msg.body.length > ajs::queue_message_max_bytes), "queue-messages",
          where + ": " + std::to_string(msg.body.length) + " bytes, flags " + std::to_string(msg.flags));
    std::vector<boost::json::object const*> chains;
    if (auto const* list = member(o, "chains").if_array()) {
      CHECK(is_int(member(o, "v"), 2) && list->size() >= 2, "queue-messages",
            where + ": a bundle of fewer than two chains");
      for (auto const& c : *list) chains.push_back(c.if_object());
    } else {
      chains.push_back(o);
    }
    CHECK(chains.size() == msg.chains && (!oversized || chains.size() == 1), "queue-messages",
          where + ": " + std::to_string(chains.size()) + " chains, header says " + std::to_string(msg.chains));
    for (auto const* c : chains) {
      auto const* list = member(c, "calls").if_array();
      CHECK(is_int(member(c, "v"), 1) && member(c, "destination").is_string() && member(c, "orderKey").is_string() &&
                list,
            "queue-messages", where + ": not a v1 chain");
      std::pair<std::string, std::string> id{std::string(text(member(c, "destination"))),
                                             std::string(text(member(c, "orderKey")))};
      CHECK(std::find(chain_ids.begin(), chain_ids.end(), id) == chain_ids.end(), "queue-messages",
            where + ": a second chain for " + id.first + " / " + clip(id.second));
      chain_ids.push_back(id);
      std::size_t at = 0;  // the plan's calls of this chain, in order
      for (auto const& call : *list) {
        while (at < p.requests.size() &&
               (p.view(p.requests[at].destination) != id.first || p.view(p.requests[at].order_key) != id.second))
          ++at;
        CHECK(at < p.requests.size(), "queue-messages", where + ": a call the plan does not have, or out of order");
        auto const& r = p.requests[at++];
        auto const* co = call.if_object();
        // The call's URL and dedup scope: its own, else its chain's; its key rebuilt from the scope,
        // the messageId and the ordinal, as the consumer does (host-shims/delivery/chain.mjs
        // expandChain); no ordinal, no key.
        auto const own_or_chain = [&](std::string_view key) -> boost::json::value const& {
          auto const& own = member(co, key);
          return own.is_string() ? own : member(c, key);
        };
        auto const& ordinal = member(co, "ordinal");
        std::string const key = ordinal.is_int64() ? std::string(text(own_or_chain("scope"))) + "|" +
                                                         std::string(text(member(co, "messageId"))) + "|" +
                                                         std::to_string(ordinal.get_int64())
                                                   : std::string();
        std::string const planned_key = r.message_id.length == 0
                                            ? std::string()
                                            : std::string(p.view(r.scope)) + "|" + std::string(p.view(r.message_id)) +
                                                  "|" + std::to_string(r.ordinal);
        auto const& length = member(co, "bodyLength");
        CHECK(length.is_int64() && length.get_int64() >= 0 &&
                  static_cast<std::uint64_t>(length.get_int64()) <= bodies.size(),
              "queue-messages", where + ": a bodyLength past the message's end");
        auto const n = length.is_int64() ? std::min<std::size_t>(bodies.size(), length.get_int64()) : 0;
        CHECK(text(own_or_chain("url")) == p.view(r.url) && bodies.substr(0, n) == p.view(r.body) &&
                  text(member(co, "messageId")) == p.view(r.message_id) && key == planned_key,
              "queue-messages", where + ": call differs from plan request " + std::to_string(at - 1));
        bodies.remove_prefix(n);
        ++calls;
      }
    }
    CHECK(bodies.empty(), "queue-messages",
          where + ": " + std::to_string(bodies.size()) + " bytes after the last body");
  }
  CHECK(calls == p.requests.size(), "queue-messages",
        std::to_string(calls) + " calls in messages, " + std::to_string(p.requests.size()) + " planned");
}

// The core skips a request's 32 KB measure when its body is too short to be written past it
// (json::longest_rewrite_size), and a batch item's when the parse's bound for it is within the
// limit (json::size_bounds): neither may be under what is written.
void check_rewrite_bound(std::string_view body) {
  std::string repaired;
  if (ajs::replace_lone_surrogate_escapes(body, repaired)) body = repaired;
  boost::system::error_code ec;
  bj::parse_options opts;
  opts.max_depth = ajs::limits::json_depth;
  ajs::json::size_bounds bounds;
  bounds.array_member = "batch";
  auto const v = ajs::json::parse(body, ec, {}, opts, nullptr, &bounds);
  if (ec) return;
  auto const written = ajs::json::serialized_size(v, ~std::size_t{0});
  CHECK(written <= ajs::json::longest_rewrite_size(body.size()), "rewrite_bound",
        std::to_string(body.size()) + " bytes are written as " + std::to_string(written));
  CHECK(written <= bounds.document, "size_bound",
        "the document is written as " + std::to_string(written) + ", bound " + std::to_string(bounds.document));
  auto const* batch = v.is_object() ? v.get_object().if_contains("batch") : nullptr;
  auto const* items = batch ? batch->if_array() : nullptr;
  CHECK(items ? bounds.elements.size() == items->size() : bounds.elements.empty(), "size_bound",
        std::to_string(bounds.elements.size()) + " bounds for " + std::to_string(items ? items->size() : 0) + " items");
  for (std::size_t i = 0; items && i < items->size(); ++i) {
    auto const& item = (*items)[i];
    if (!item.is_object() && !item.is_array()) continue;
    auto const size = ajs::json::serialized_size(item, ~std::size_t{0});
    CHECK(size <= bounds.elements[i], "size_bound",
          "batch[" + std::to_string(i) + "] is written as " + std::to_string(size) + ", bound " +
              std::to_string(bounds.elements[i]));
  }
}

void check_plan(config_info const& cfg, request const& req, std::string_view body, std::string_view encoded) {
  auto decoded = ajs::decode_plan(encoded);
  CHECK(bool(decoded), "plan-decodes", decoded ? "" : decoded.error().message);
  ajs::plan const& p = *decoded;
  if (dump_plans) dump(p);
  std::size_t const data = p.bytes.size();
  auto in_data = [&](ajs::byte_span s) { return std::size_t{s.offset} + s.length <= data; };
  auto span_check = [&](ajs::byte_span s, char const* what) {
    if (!in_data(s))
      oracle_failed("plan-span", std::string(what) + " span " + std::to_string(s.offset) + "+" +
                                     std::to_string(s.length) + " outside " + std::to_string(data) + " data bytes");
  };

  // Status and reply.
  CHECK(known_status(p.status), "status", "unexpected status " + std::to_string(p.status));
  span_check(p.reply_body, "reply body");
  std::string_view const reply_body = p.view(p.reply_body);
  if (p.status == 204) {
    CHECK(reply_body.empty(), "reply-json", "204 with a body: " + clip(reply_body));
  } else {
    auto j = validate_json(reply_body);
    CHECK(j.valid && j.root_is_object, "reply-json",
          "reply body is not a JSON object (" + j.error + "): " + clip(reply_body));
  }
  for (auto const& h : p.reply_headers) {
    span_check(h.name, "reply header name");
    span_check(h.value, "reply header value");
    auto const name = p.view(h.name), value = p.view(h.value);
    CHECK(!name.empty() && clean_header_text(name) && clean_header_text(value), "reply-header",
          "CR, LF or NUL in reply header " + clip(name) + ": " + clip(value));
    // The id cookie (issue #17): only on a 200, only for a config that asks for it, its value plain
    // cookie text, its attributes fixed.
    if (lower(name) == "set-cookie") {
      bool const asked =
          std::any_of(cfg.sources.begin(), cfg.sources.end(), [](source_info const& s) { return s.identity_cookie; });
      auto const eq = value.find('='), semi = value.find(';');
      std::string_view const cookie_value = eq == value.npos ? std::string_view() : value.substr(eq + 1, semi - eq - 1);
      CHECK(asked && p.status == 200 && value.substr(0, eq + 1) == "ajs_anonymous_id=" && semi != value.npos &&
                !cookie_value.empty() &&
                std::all_of(
                    cookie_value.begin(), cookie_value.end(),
                    [](char c) { return c > 0x20 && c < 0x7f && c != ';' && c != ',' && c != '"' && c != '\\'; }) &&
                value.size() > 22 && value.substr(value.size() - 22) == "; Secure; SameSite=Lax",
            "identity-cookie", "set-cookie " + clip(value) + " on a " + std::to_string(p.status));
    }
    // The settings document is public (any origin may read it); every other endpoint answers
    // CORS only for an origin some source allows.
    if (lower(name) == "access-control-allow-origin" && value != "*") {
      CHECK(value == req.origin, "cors", "allow-origin " + clip(value) + " is not the request's origin " + req.origin);
      bool allowed = req.kind == path_kind::settings;
      for (auto const& s : cfg.sources)
        allowed = allowed || s.origins.empty() ||
                  std::find_if(s.origins.begin(), s.origins.end(),
                               [&](std::string const& o) { return o == "*" || o == value; }) != s.origins.end();
      CHECK(allowed, "cors", "allow-origin " + clip(value) + " that no source allows");
    }
  }

  // The settings document names only a host the config allows, and says it depends on Host.
  if (!cfg.hosts.empty() && std::find(cfg.hosts.begin(), cfg.hosts.end(), req.host) == cfg.hosts.end())
    CHECK(reply_body.find(req.host) == reply_body.npos, "settings-host",
          "reply names the request's Host " + req.host + ", which the config's hosts do not list: " + clip(reply_body));
  if (p.status == 200 && reply_body.find(req.host) != reply_body.npos) {
    bool vary_host = false;
    for (auto const& h : p.reply_headers)
      vary_host =
          vary_host || (lower(p.view(h.name)) == "vary" && lower(p.view(h.value)).find("host") != std::string::npos);
    CHECK(vary_host, "settings-host", "reply depends on the Host header without Vary: Host: " + clip(reply_body));
  }

  // Rate-limit checks: configured bindings, keys without a writeKey in clear.
  for (auto const& l : p.rate_limits) {
    span_check(l.binding, "rate limit binding");
    span_check(l.key, "rate limit key");
    auto const binding = p.view(l.binding), key = p.view(l.key);
    CHECK(std::find(cfg.rate_limiters.begin(), cfg.rate_limiters.end(), binding) != cfg.rate_limiters.end(),
          "rate-limit", "binding " + clip(binding) + " is not among the configured rate limiters");
    CHECK(!key.empty(), "rate-limit", "empty key for " + clip(binding));
    for (auto const& src : cfg.sources)
      CHECK(key.find(src.write_key) == key.npos, "rate-limit", "key " + clip(key) + " holds the writeKey in clear");
  }
  if (!p.requests.empty() &&
      std::all_of(cfg.sources.begin(), cfg.sources.end(), [](source_info const& s) { return s.write_key_limited; }))
    CHECK(!p.rate_limits.empty(), "rate-limit", "calls planned without a rate-limit check");

  // Counters.
  auto const& c = p.counters;
  CHECK(std::uint64_t{c.events_accepted} + c.events_rejected <= c.events_received, "counters",
        "accepted " + std::to_string(c.events_accepted) + " + rejected " + std::to_string(c.events_rejected) +
            " > received " + std::to_string(c.events_received));

  // No work without a 200 to a POST.
  if (!p.requests.empty()) {
    CHECK(p.status == 200, "no-work-on-refusal",
          "status " + std::to_string(p.status) + " with " + std::to_string(p.requests.size()) + " planned requests");
    CHECK(req.method == "POST", "no-work-on-refusal",
          req.method + " planned " + std::to_string(p.requests.size()) + " requests");
    CHECK(req.kind == path_kind::single || req.kind == path_kind::batch, "no-work-on-refusal",
          "a non-ingest endpoint planned requests");
  }

  // The budget (src/ingest/limits.hpp).
  namespace L = ajs::limits;
  std::size_t const messages = std::max<std::size_t>(1, std::min<std::size_t>(c.events_received, L::batch_items));
  std::size_t const max_bytes =
      L::budget_bytes_factor * (body.size() + L::normalization_bytes * messages) + L::budget_bytes_slack;
  std::size_t const max_calls =
      std::min(L::budget_calls_per_message * messages + L::budget_calls_slack, L::budget_calls_max);
  std::size_t total_bytes = 0;
  for (auto const& r : p.requests) total_bytes += r.body.length;
  CHECK(p.requests.size() <= max_calls, "budget-calls",
        std::to_string(p.requests.size()) + " calls > " + std::to_string(max_calls) + " for " +
            std::to_string(messages) + " messages");
  CHECK(total_bytes <= max_bytes, "budget-bytes",
        std::to_string(total_bytes) + " outgoing body bytes > " + std::to_string(max_bytes) + " for a " +
            std::to_string(body.size()) + "-byte request of " + std::to_string(messages) + " messages");

  // Each planned request.
  std::vector<std::string> const needles = [&] {
    std::vector<std::string> n;
    for (auto const& s : cfg.sources) n.push_back("\"writeKey\":\"" + s.write_key + "\"");
    return n;
  }();
  std::vector<int> write_key_verdict(cfg.sources.size(), -1);  // -1 unknown, 0 not in input, 1 in input
  struct scope_use {
    std::string_view scope, destination, url;
  };
  std::vector<scope_use> scopes;
  std::vector<std::tuple<std::string_view, std::string_view, std::uint32_t>> dedup_keys;
  dedup_keys.reserve(p.requests.size());
  std::size_t tag_run = 0;
  std::string_view tag_run_id;
  for (std::size_t i = 0; i < p.requests.size(); ++i) {
    auto const& r = p.requests[i];
    auto const where = [&] { return "request " + std::to_string(i); };
    span_check(r.destination, "destination");
    span_check(r.method, "method");
    span_check(r.url, "url");
    span_check(r.body, "body");
    span_check(r.message_id, "messageId");
    span_check(r.order_key, "order key");
    CHECK(std::size_t{r.first_header} + r.header_count <= p.request_headers.size(), "plan-span",
          where() + ": headers " + std::to_string(r.first_header) + "+" + std::to_string(r.header_count) + " of " +
              std::to_string(p.request_headers.size()));
    auto const destination = p.view(r.destination), url = p.view(r.url), rbody = p.view(r.body);
    CHECK(
        std::find(cfg.destination_keys.begin(), cfg.destination_keys.end(), destination) != cfg.destination_keys.end(),
        "destination", where() + ": unknown destination " + clip(destination));
    CHECK(p.view(r.method) == "POST", "method", where() + ": method " + clip(p.view(r.method)));
    CHECK(url_allowed(cfg, url), "url", where() + ": " + clip(url) + " is under no configured endpoint");
    CHECK(!p.view(r.message_id).empty(), "message-id", where() + ": no messageId");

    // Dedup scope: names the destination, not the writeKey in clear; one scope, one destination
    // and one endpoint.
    span_check(r.scope, "scope");
    auto const scope = p.view(r.scope);
    CHECK(scope.size() > destination.size() && scope.substr(0, destination.size()) == destination &&
              scope[destination.size()] == ':',
          "scope", where() + ": scope " + clip(scope) + " does not start with " + std::string(destination) + ":");
    for (auto const& src : cfg.sources)
      CHECK(scope.find(src.write_key) == scope.npos, "scope",
            where() + ": scope " + clip(scope) + " holds the writeKey");
    auto const base = url.substr(0, url.find('/', url.find("://") == url.npos ? 0 : url.find("://") + 3));
    auto same = std::find_if(scopes.begin(), scopes.end(), [&](scope_use const& u) { return u.scope == scope; });
    if (same == scopes.end())
      scopes.push_back({scope, destination, base});
    else
      CHECK(same->destination == destination && same->url == base, "scope",
            where() + ": scope " + clip(scope) + " used for " + std::string(same->destination) + " at " +
                std::string(same->url) + " and " + std::string(destination) + " at " + std::string(base));
    dedup_keys.emplace_back(scope, p.view(r.message_id), r.ordinal);

    // Headers: no CR/LF; credentials only by secret reference to a configured binding.
    for (std::uint32_t k = r.first_header; k < r.first_header + r.header_count; ++k) {
      auto const& h = p.request_headers[k];
      span_check(h.name, "header name");
      span_check(h.value, "header value");
      span_check(h.secret, "header secret");
      auto const name = p.view(h.name), value = p.view(h.value), secret = p.view(h.secret);
      CHECK(!name.empty() && clean_header_text(name) && clean_header_text(value), "request-header",
            where() + ": CR, LF or NUL in header " + clip(name) + ": " + clip(value));
      bool const has_secret = !secret.empty();
      auto const format = static_cast<std::uint32_t>(h.format);
      CHECK(has_secret == (format != 0) && format <= 3, "secret-header",
            where() + ": header " + clip(name) + " secret '" + clip(secret) + "' format " + std::to_string(format));
      if (has_secret) {
        CHECK(value.empty(), "secret-header",
              where() + ": header " + clip(name) + " names secret " + clip(secret) +
                  " and also carries a literal value " + clip(value, 40));
        CHECK(std::find(cfg.secret_bindings.begin(), cfg.secret_bindings.end(), secret) != cfg.secret_bindings.end(),
              "secret-header",
              where() + ": header " + clip(name) + " names " + clip(secret) + ", not a configured binding");
      }
      if (credential_header(lower(name)))
        CHECK(has_secret, "secret-header",
              where() + ": credential header " + clip(name) + " with a literal value " + clip(value, 40));
      if (!req.authorization.empty())
        CHECK(value.find(req.authorization) == value.npos, "secret-header",
              where() + ": the client's Authorization header is forwarded in " + clip(name));
    }

    // Body: a JSON object within the per-message limit, without the client's writeKey.
    auto j = validate_json(rbody);
    CHECK(j.valid && j.root_is_object, "body-json",
          where() + " (" + std::string(destination) + "): not a JSON object (" + j.error + "): " + clip(rbody));
    // The message as delivered obeys the per-message limit. Gist bodies are mappings, not the
    // message (arrays become joined strings, nested traits flattened keys): only the byte budget
    // bounds them.
    // Gainsight's body is facade.json() (src/ingest/segment_dates.hpp): each ISO date string, 12
    // bytes as JSON at least ("2026-08-01"), is written as toISOString, 29 at most
    // ("+010007-06-15T09:19:39.999Z"), as Segment's integration sent it.
    static std::size_t const max_body =
        open_bug("number-expansion") ? (L::event_bytes + body_slack) * 21 / 4 : L::event_bytes + body_slack;
    std::size_t const body_limit = destination == "gainsight" ? max_body * 29 / 12 : max_body;
    CHECK(destination == "gist" || rbody.size() <= body_limit, "body-size",
          where() + " (" + std::string(destination) + "): " + std::to_string(rbody.size()) + " bytes > " +
              std::to_string(body_limit) + " (the message as delivered is over the per-message limit)");
    CHECK(!j.root_has_write_key, "write-key",
          where() + " (" + std::string(destination) + "): body has a top-level writeKey");
    // The IP policy (issue #17): when every source masks or removes IPs, no full address reaches
    // a destination: the message's context.ip (capture) and Gist's last_seen_ip are absent or a
    // network (a.b.c.0, or an IPv6 prefix ending "::").
    bool const ips_restricted =
        std::all_of(cfg.sources.begin(), cfg.sources.end(), [](source_info const& s) { return s.ip_policy != "full"; });
    if (ips_restricted && (destination == "capture" || destination == "gist") && j.valid && j.root_is_object) {
      boost::system::error_code pec;
      bj::value const parsed = bj::parse(rbody, pec);
      bj::value const* ip = nullptr;
      if (!pec && parsed.is_object()) {
        auto const& o = parsed.get_object();
        if (destination == "gist") {
          ip = o.if_contains("last_seen_ip");
        } else if (auto const* c = o.if_contains("context"); c && c->is_object()) {
          ip = c->get_object().if_contains("ip");
        }
      }
      auto const network = [](bj::value const* v) {
        if (!v->is_string()) return false;
        std::string_view s = v->get_string();
        bool const v4 = s.size() > 2 && s.substr(s.size() - 2) == ".0" &&
                        s.find_first_not_of("0123456789.") == std::string_view::npos;
        return v4 || (s.size() >= 2 && s.substr(s.size() - 2) == "::");
      };
      CHECK(!ip || network(ip), "ip-policy",
            where() + " (" + std::string(destination) + "): an address the policy should have masked: " + clip(rbody));
    }
    for (std::size_t s = 0; s < needles.size(); ++s) {
      if (rbody.find(needles[s]) == rbody.npos) continue;
      if (write_key_verdict[s] < 0)
        write_key_verdict[s] = input_passes_write_key_through(body, req.kind, cfg.sources[s].write_key) ? 1 : 0;
      CHECK(write_key_verdict[s] == 1, "write-key",
            where() + " (" + std::string(destination) + "): carries writeKey " + cfg.sources[s].write_key +
                " that the request only sent as its own key");
    }

    // Gist tag calls of one identify: at most limits::gist_tags_per_identify in a row.
    bool const is_tag = destination == "gist" && url.size() >= 5 && url.substr(url.size() - 5) == "/tags";
    if (is_tag && tag_run > 0 && p.view(r.message_id) == tag_run_id) {
      ++tag_run;
    } else {
      tag_run = is_tag ? 1 : 0;
      tag_run_id = p.view(r.message_id);
    }
    CHECK(tag_run <= L::gist_tags_per_identify, "gist-tags",
          where() + ": " + std::to_string(tag_run) + " consecutive Gist tag calls for one messageId > " +
              std::to_string(L::gist_tags_per_identify));
  }

  // Two calls with one dedup key: the host would skip the second as a duplicate.
  std::sort(dedup_keys.begin(), dedup_keys.end());
  auto dup = std::adjacent_find(dedup_keys.begin(), dedup_keys.end());
  CHECK(dup == dedup_keys.end(), "dedup-key",
        dup == dedup_keys.end() ? ""
                                : "two calls with the key " + std::string(std::get<0>(*dup)) + "|" +
                                      std::string(std::get<1>(*dup)) + "|" + std::to_string(std::get<2>(*dup)));

  for (auto const& n : p.notes) {
    span_check(n.destination, "note destination");
    span_check(n.message_id, "note messageId");
    span_check(n.reason, "note reason");
  }
  check_queue_messages(p, req);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (ajs_abi_version() != 2) oracle_failed("abi", "ajs_abi_version() != 2");
  // Every configuration must load; the first one stays selected.
  for (std::size_t i = config_count; i-- > 0;) select_config(i);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  constexpr std::size_t header = 5;
  if (size < header) return 0;
  config_info const& cfg = select_config(data[0] % config_count);
  request const req = make_request(cfg, data);
  std::string_view const body(reinterpret_cast<char const*>(data + header), size - header);
  current_case = std::string("config=") + configs[data[0] % config_count].name + " meta=" + req.meta_text +
                 " body=" + std::to_string(body.size()) + " bytes";

  // As a host does: both inputs in module memory, exactly their size.
  char* meta_buf = static_cast<char*>(ajs_alloc(req.meta.size()));
  std::memcpy(meta_buf, req.meta.data(), req.meta.size());
  char* body_buf = static_cast<char*>(ajs_alloc(body.size()));
  if (!body.empty()) std::memcpy(body_buf, body.data(), body.size());
  int const rc = ajs_handle(meta_buf, req.meta.size(), body_buf, body.size());
  ajs_free(body_buf);
  ajs_free(meta_buf);
  std::string_view const out(ajs_output_ptr(), ajs_output_len());
  CHECK(rc == 0, "handle", "ajs_handle returned " + std::to_string(rc) + ": " + clip(out));
  check_plan(cfg, req, body, out);
  check_rewrite_bound(body);
  return 0;
}
