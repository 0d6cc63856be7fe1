#include "handler.hpp"

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
    reply_problem(out, {403, "forbidden_origin", "origin not allowed"});
    return;
  }
  out.reply(204, {});
  allow_origin(out, meta.origin);
  out.reply_header("access-control-allow-methods",
                   ep.kind == endpoint_kind::settings ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
  // The fixed set analytics.js needs, plus whatever else the page asked for (custom
  // deliveryStrategy headers), restricted to header-name characters.
  std::string headers(allowed_request_headers);
  std::string requested;
  for (char c : meta.access_control_request_headers)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == ',' || c == ' ')
      requested += c;
  if (!requested.empty()) headers += ", " + requested;
  out.reply_header("access-control-allow-headers", headers);
  out.reply_header("access-control-max-age", "86400");
}

void reply_settings(plan_writer& out, request_meta const& meta, config const& cfg, endpoint const& ep) {
  auto const* source = cfg.find_source(ep.write_key);
  if (!source) {
    reply_problem(out, {404, "not_found", "no source with this writeKey"});
    out.reply_header("access-control-allow-origin", "*");
    return;
  }
  auto const host = choose_api_host(*source, meta, cfg);
  reply_json(out, 200, settings_document(*source, meta, host.api_host));
  out.reply_header("access-control-allow-origin", "*");
  out.reply_header("cache-control", host.publicly_cacheable ? "public, max-age=300, stale-while-revalidate=3600"
                                                            : "private, max-age=300");
  if (host.depends_on_host) out.reply_header("vary", "Host");
}

void route_request(request_meta const& meta, std::string_view body, config const& cfg, plan& p) {
  plan_writer out(p);
  std::string_view path = meta.path;
  if (!cfg.base_path.empty()) {
    if (path.substr(0, cfg.base_path.size()) != cfg.base_path) {
      reply_problem(out, {404, "not_found", "no such endpoint"});
      return;
    }
    path.remove_prefix(cfg.base_path.size());
  }
  auto const ep = match_endpoint(path);
  if (ep.kind == endpoint_kind::unknown) {
    reply_problem(out, {404, "not_found", "no such endpoint"});
    return;
  }
  if (meta.method == "OPTIONS") return reply_preflight(out, meta, cfg, ep);
  bool const method_ok =
      meta.method == ep.allowed_method() || (ep.kind == endpoint_kind::settings && meta.method == "HEAD");
  if (!method_ok) {
    reply_problem(out, {405, "method_not_allowed", "use " + std::string(ep.allowed_method()) + " on this endpoint"});
    out.reply_header("allow", ep.kind == endpoint_kind::settings ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
    return;
  }
  switch (ep.kind) {
    case endpoint_kind::settings: return reply_settings(out, meta, cfg, ep);
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
  if (meta.queue) write_queue_messages(p);
}

}  // namespace ajs
