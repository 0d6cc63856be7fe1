#include "http/request_meta.hpp"

#include <boost/json/parse.hpp>
#include <cctype>

#include "json/access.hpp"

namespace ajs {

namespace {

problem meta_problem(std::string m) { return {500, "invalid_meta", std::move(m)}; }

bool split_url(std::string_view url, request_meta& m) {
  auto const scheme_end = url.find("://");
  if (scheme_end == url.npos) return false;
  m.scheme.assign(url.substr(0, scheme_end));
  url.remove_prefix(scheme_end + 3);
  auto const path_start = url.find('/');
  m.host.assign(url.substr(0, path_start));
  std::string_view path = path_start == url.npos ? std::string_view("/") : url.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  m.path.assign(path);
  return !m.host.empty();
}

std::uint64_t parse_hex(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s.substr(0, 16)) {
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 0;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

}  // namespace

result<request_meta> parse_request_meta(std::string_view json_text) {
  boost::system::error_code ec;
  auto root = boost::json::parse(json_text, ec);
  auto const* o = root.if_object();
  if (ec || !o) return meta_problem("request meta is not a JSON object");
  request_meta m;
  m.method.assign(json::string_or_empty(*o, "method"));
  for (auto& c : m.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!split_url(json::string_or_empty(*o, "url"), m)) return meta_problem("request meta has no absolute url");
  if (auto const* h = json::object_at(*o, "headers")) {
    m.authorization.assign(json::string_or_empty(*h, "authorization"));
    m.origin.assign(json::string_or_empty(*h, "origin"));
    m.client_ip.assign(json::string_or_empty(*h, "cf-connecting-ip"));
    m.access_control_request_headers.assign(json::string_or_empty(*h, "access-control-request-headers"));
  }
  if (auto const* t = o->if_contains("receivedAt")) {
    if (auto const* i = t->if_int64())
      m.received_at_ms = *i;
    else if (auto const* d = t->if_double())
      m.received_at_ms = static_cast<std::int64_t>(*d);
  }
  m.seed = parse_hex(json::string_or_empty(*o, "seed"));
  if (auto const* b = o->if_contains("bodyTooLarge")) m.body_too_large = b->is_bool() && b->get_bool();
  m.body_error.assign(json::string_or_empty(*o, "bodyError"));
  if (auto const* q = o->if_contains("queue")) m.queue = q->is_bool() && q->get_bool();
  if (auto const* g = json::object_at(*o, "geo")) {
    // Short fields only: what Cloudflare gives is short, and a host bug must not grow messages.
    auto text = [&](std::string_view key, std::string& into) {
      auto v = json::string_or_empty(*g, key);
      if (v.size() <= 100) into.assign(v);
    };
    text("continent", m.geo.continent);
    text("country", m.geo.country);
    text("region", m.geo.region);
    text("regionCode", m.geo.region_code);
    text("city", m.geo.city);
    text("postalCode", m.geo.postal_code);
    text("timezone", m.geo.timezone);
    text("latitude", m.geo.latitude);
    text("longitude", m.geo.longitude);
    if (auto const* eu = g->if_contains("isEUCountry")) m.geo.is_eu_country = eu->is_bool() && eu->get_bool();
  }
  return m;
}

}  // namespace ajs
