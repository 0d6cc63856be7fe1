#include "handler.hpp"

#include <optional>

#include "http/endpoint.hpp"
#include "http/reply.hpp"
#include "ingest/ingest.hpp"
#include "plan/queue_messages.hpp"
#include "settings/settings_document.hpp"

namespace ajs {

namespace {

constexpr std::string_view allowed_request_headers = "authorization, content-type, content-encoding, x-retry-count";

void reply_preflight(plan_writer& out, request_meta const& meta, config const& cfg, endpoint const& ep) {
  bool const allowed =
      !meta.origin.empty() && (ep.kind == endpoint_kind::settings || cfg.any_source_allows_origin(meta.origin));
  if (!allowed) {
    reply_problem(out, {403, "forbidden_origin",
                        "origin " + quoted_clip(meta.origin, 100) +
                            " is not allowed by any source: add it to the allowedOrigins of the source it sends for",
                        "sources[].allowedOrigins", docs::configuration});
    return;
  }
  out.reply(204, {});
  allow_origin(out, meta.origin);
  out.reply_header("access-control-allow-methods",
                   ep.kind == endpoint_kind::settings ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
  // The fixed set analytics.js needs, plus whatever else the page asked for (custom
  // deliveryStrategy headers): each name once, lower-cased, restricted to header-name characters.
  std::string headers(allowed_request_headers);
  std::string name;
  auto add_requested = [&] {
    if (!name.empty() && (", " + headers + ",").find(", " + name + ",") == std::string::npos) headers += ", " + name;
    name.clear();
  };
  for (char c : meta.access_control_request_headers) {
    if (c == ',')
      add_requested();
    else if (c >= 'A' && c <= 'Z')
      name += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
      name += c;
  }
  add_requested();
  out.reply_header("access-control-allow-headers", headers);
  out.reply_header("access-control-max-age", "86400");
}

// Whatever the mistake (an unknown writeKey, a path outside basePath), analytics.js gets a
// document that keeps it on this Worker: one that cannot load its settings reports the failure to
// api.segment.io. The mistake travels in the document and is logged; the events are refused
// where it matters (an unknown writeKey's with a 401 that says why).
void reply_settings(plan_writer& out, request_meta const& meta, config const& cfg, std::string_view write_key,
                    std::optional<problem> mistake) {
  auto const* source = cfg.find_source(write_key);
  if (!source && !mistake)
    mistake = problem{200, "unknown_write_key",
                      "unknown writeKey " + write_key_hint(write_key) +
                          ": no source in the configuration (AJS_EDGE_CONFIG) has it; this document keeps "
                          "analytics.js on this Worker, and its events are refused here",
                      "sources[].writeKey", docs::configuration};
  auto const host = choose_api_host(source, meta, cfg);
  reply_json(out, 200, settings_document(write_key, source, meta, host.api_host, mistake ? &*mistake : nullptr));
  out.reply_header("access-control-allow-origin", "*");
  if (mistake) {
    mark_problem(out, mistake->code);
    out.reply_header("cache-control", "no-store");  // the fix takes effect at once
  } else {
    out.reply_header("cache-control", host.publicly_cacheable ? "public, max-age=300, stale-while-revalidate=3600"
                                                              : "private, max-age=300");
  }
  if (host.depends_on_host) out.reply_header("vary", "Host");
}

// CORS on a refusal: an allowed origin may read why it was refused.
void allow_allowed_origin(plan_writer& out, request_meta const& meta, config const& cfg) {
  if (!meta.origin.empty() && cfg.any_source_allows_origin(meta.origin)) allow_origin(out, meta.origin);
}

void route_request(request_meta const& meta, std::string_view body, config const& cfg, plan& p) {
  plan_writer out(p, meta.seed);
  std::string_view path = meta.path;
  bool const inside_base_path = path.substr(0, cfg.base_path.size()) == cfg.base_path;
  if (inside_base_path) path.remove_prefix(cfg.base_path.size());
  auto const ep = inside_base_path ? match_endpoint(path) : endpoint{};
  if (ep.kind == endpoint_kind::unknown) {
    // A page whose analytics.js misses the basePath (or adds a prefix) asks for its settings here:
    // served all the same, so that it does not fall back to Segment.
    if (auto key = settings_write_key_anywhere(meta.path);
        !key.empty() && (meta.method == "GET" || meta.method == "HEAD"))
      return reply_settings(
          out, meta, cfg, key,
          problem{200, "settings_path",
                  "settings asked for at " + quoted_clip(meta.path, 200) + ", not at " +
                      quoted_clip(std::string(cfg.base_path) + "/v1/projects/<writeKey>/settings", 200) +
                      ": served so that analytics.js stays on this Worker; give the page's analytics.js "
                      "the basePath (its cdnURL, or AJS_ASSETS_PREFIX)",
                  "basePath", docs::configuration});
    if (!inside_base_path)
      reply_problem(out, {404, "not_found",
                          "no such endpoint: " + quoted_clip(meta.path, 200) + " is outside basePath " +
                              quoted_clip(cfg.base_path, 100) + ", under which this Worker serves every endpoint",
                          "basePath", docs::configuration});
    else
      reply_problem(out,
                    {404, "not_found", "no such endpoint: " + quoted_clip(meta.path, 200), {}, docs::what_it_accepts});
    allow_allowed_origin(out, meta, cfg);
    return;
  }
  if (meta.method == "OPTIONS") return reply_preflight(out, meta, cfg, ep);
  bool const method_ok =
      meta.method == ep.allowed_method() || (ep.kind == endpoint_kind::settings && meta.method == "HEAD");
  if (!method_ok) {
    reply_problem(out,
                  {405,
                   "method_not_allowed",
                   "use " + std::string(ep.allowed_method()) + " on this endpoint, not " + quoted_clip(meta.method, 20),
                   {},
                   docs::what_it_accepts});
    out.reply_header("allow", ep.kind == endpoint_kind::settings ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
    return;
  }
  switch (ep.kind) {
    case endpoint_kind::settings: return reply_settings(out, meta, cfg, ep.write_key, std::nullopt);
    case endpoint_kind::metrics:
      reply_success(out);
      if (!meta.origin.empty() && cfg.any_source_allows_origin(meta.origin)) allow_origin(out, meta.origin);
      return;
    case endpoint_kind::single:
    case endpoint_kind::batch: return ingest(meta, body, cfg, ep, out);
    case endpoint_kind::unknown: return;
  }
}

}  // namespace

void handle_request(request_meta const& meta, std::string_view body, config const& cfg, plan& p) {
  route_request(meta, body, cfg, p);
  if (meta.queue) write_queue_messages(p, meta.seed);
}

}  // namespace ajs
