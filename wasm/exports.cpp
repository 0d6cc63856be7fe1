// The C ABI both wasm toolchains export (documented in wasm/README.md). It holds the one piece
// of state an instance keeps between calls: the parsed configuration, and the last output.
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "config/config.hpp"
#include "handler.hpp"
#include "plan/plan_encoding.hpp"

#define AJS_EXPORT(name) extern "C" __attribute__((export_name(#name), used))

namespace {

// 2: the request meta is binary (http/request_meta.hpp), no longer JSON.
constexpr int abi_version = 2;

struct instance_state {
  std::optional<ajs::config> config;
  std::string output;
  ajs::plan plan;  // its tables' room, reused (plan::reset)
};

instance_state& state() {
  static instance_state s;
  return s;
}

int fail(ajs::problem const& p) {
  std::string& out = state().output;
  out = R"({"status":)" + std::to_string(p.status) + R"(,"code":")" + std::string(p.code) + R"(","message":")";
  for (char c : p.message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  out += "\"}";
  return 1;
}

// What the host must check before serving, and what a page shows of it (the browser tester picks
// a source): {"demo":bool,"secrets":[{"binding","field","pattern"}],
// "rateLimiters":[{"binding","field","required"}],"basePath":"",
// "sources":[{"name","id","writeKey","destinations":[{"key","catalogName"}]}]}. Secret *values*
// never enter the core, so none can appear here.
void describe_config(ajs::config const& c, std::string& out) {
  boost::json::array secrets;
  for (auto const& s : c.secrets)
    secrets.push_back(boost::json::object{{"binding", s.binding}, {"field", s.field}, {"pattern", s.pattern}});
  boost::json::array limiters;
  for (auto const& l : c.rate_limiters)
    limiters.push_back(boost::json::object{{"binding", l.binding}, {"field", l.field}, {"required", l.required}});
  boost::json::array sources;
  for (auto const& src : c.sources) {
    boost::json::array destinations;
    for (auto const& d : src.destinations)
      destinations.push_back(boost::json::object{{"key", d.kind->config_key}, {"catalogName", d.kind->catalog_name}});
    sources.push_back(boost::json::object{{"name", src.name},
                                          {"id", src.id},
                                          {"writeKey", src.write_key},
                                          {"residency", src.residency},
                                          {"destinations", std::move(destinations)}});
  }
  out = boost::json::serialize(boost::json::object{{"demo", c.is_default},
                                                   {"secrets", std::move(secrets)},
                                                   {"rateLimiters", std::move(limiters)},
                                                   {"basePath", c.base_path},
                                                   {"sources", std::move(sources)}});
}

}  // namespace

AJS_EXPORT(ajs_abi_version) int ajs_abi_version() { return abi_version; }

AJS_EXPORT(ajs_alloc) void* ajs_alloc(std::size_t n) { return std::malloc(n ? n : 1); }

AJS_EXPORT(ajs_free) void ajs_free(void* p) { std::free(p); }

AJS_EXPORT(ajs_output_ptr) char const* ajs_output_ptr() { return state().output.data(); }

AJS_EXPORT(ajs_output_len) std::size_t ajs_output_len() { return state().output.size(); }

// Parses and keeps the configuration; an empty text selects the built-in demo configuration.
// Returns 0 with the config's description as output, or 1 with {"status","code","message"}.
AJS_EXPORT(ajs_configure) int ajs_configure(char const* text, std::size_t length) {
  auto& s = state();
  if (length == 0) {
    s.config = ajs::default_config();
    describe_config(*s.config, s.output);
    return 0;
  }
  auto parsed = ajs::parse_config(std::string_view(text, length));
  if (!parsed) return fail(parsed.error());
  s.config = std::move(*parsed);
  describe_config(*s.config, s.output);
  return 0;
}

// Plans one request. Returns 0 with the encoded plan as output, or 1 with an error as output.
AJS_EXPORT(ajs_handle)
int ajs_handle(char const* meta_bytes, std::size_t meta_length, char const* body, std::size_t body_length) {
  auto& s = state();
  if (!s.config) return fail({500, "not_configured", "ajs_configure was not called"});
  auto meta = ajs::read_request_meta(std::string_view(meta_bytes, meta_length));
  if (!meta) return fail(meta.error());
  // The plan is written into the last output's buffer (its capacity kept: a few MB for a big
  // batch, not allocated afresh each time) and becomes the output without a copy. Its tables are
  // the last request's, cleared: a beacon's 7 of 18 allocations (session 22).
  ajs::plan& plan = s.plan;
  plan.reset(ajs::plan_kept_table_bytes);
  plan.bytes.swap(s.output);
  plan.bytes.assign(ajs::plan_header_bytes, '\0');
  ajs::handle_request(*meta, std::string_view(body, body_length), *s.config, plan);
  ajs::take_encoded_plan(plan, s.output);
  return 0;
}
