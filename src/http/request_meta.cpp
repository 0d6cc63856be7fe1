#include "http/request_meta.hpp"

#include <cstring>
#include <type_traits>

namespace ajs {

namespace {

problem meta_problem(std::string m) { return {500, "invalid_meta", std::move(m), {}, {}}; }

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

// The string `s` names, in a host's meta or in the core's (url: the host's only; the core keeps it
// split into scheme, host and path).
template <class Meta>
auto field(Meta& m, meta_string s) -> decltype(&m.method) {
  switch (s) {
    case meta_string::method: return &m.method;
    case meta_string::url:
      if constexpr (std::is_same_v<std::remove_const_t<Meta>, host_meta>)
        return &m.url;
      else
        return nullptr;
    case meta_string::authorization: return &m.authorization;
    case meta_string::origin: return &m.origin;
    case meta_string::client_ip: return &m.client_ip;
    case meta_string::access_control_request_headers: return &m.access_control_request_headers;
    case meta_string::body_error: return &m.body_error;
    case meta_string::continent: return &m.geo.continent;
    case meta_string::country: return &m.geo.country;
    case meta_string::region: return &m.geo.region;
    case meta_string::region_code: return &m.geo.region_code;
    case meta_string::city: return &m.geo.city;
    case meta_string::postal_code: return &m.geo.postal_code;
    case meta_string::timezone: return &m.geo.timezone;
    case meta_string::latitude: return &m.geo.latitude;
    case meta_string::longitude: return &m.geo.longitude;
  }
  return nullptr;
}

bool is_geo(meta_string s) {
  return static_cast<std::uint32_t>(s) >= static_cast<std::uint32_t>(meta_string::continent);
}

std::uint32_t word(char const* at) {
  std::uint32_t w;
  std::memcpy(&w, at, 4);
  return w;
}

void put_word(std::string& out, std::uint32_t w) {
  char b[4];
  std::memcpy(b, &w, 4);
  out.append(b, 4);
}

}  // namespace

result<request_meta> read_request_meta(std::string_view bytes) {
  if (bytes.size() < meta_head_bytes || word(bytes.data()) != meta_magic)
    return meta_problem("request meta is not in the host's format (AJM1: wasm/README.md)");
  request_meta m;
  auto const flags = word(bytes.data() + 4);
  m.body_too_large = (flags & meta_body_too_large) != 0;
  m.queue = (flags & meta_queue) != 0;
  m.geo.is_eu_country = (flags & meta_is_eu_country) != 0;
  double received_at;
  std::memcpy(&received_at, bytes.data() + 8, 8);
  // Truncated toward zero, as the host's integral Date.now() is; out of range (or NaN) reads 0, where a
  // conversion would trap in wasm.
  if (received_at > -9.2e18 && received_at < 9.2e18) m.received_at_ms = static_cast<std::int64_t>(received_at);
  m.seed = word(bytes.data() + 16) | std::uint64_t{word(bytes.data() + 20)} << 32;
  auto const count = word(bytes.data() + 24);
  std::string_view url;
  std::size_t at = meta_head_bytes;
  for (std::uint32_t i = 0; i < count && i < meta_string_count; ++i) {
    if (bytes.size() - at < 4) return meta_problem("request meta ends inside its strings");
    auto const length = word(bytes.data() + at);
    at += 4;
    if (bytes.size() - at < length) return meta_problem("request meta ends inside its strings");
    auto const text = bytes.substr(at, length);
    at += length;
    auto const which = static_cast<meta_string>(i);
    if (which == meta_string::url) {
      url = text;
    } else if (!is_geo(which) || text.size() <= 100) {
      // Geo fields: short only. What Cloudflare gives is short, and a host bug must not grow messages.
      field(m, which)->assign(text);
    }
  }
  for (auto& c : m.method)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (!split_url(url, m)) return meta_problem("request meta has no absolute url");
  return m;
}

std::string encode_request_meta(host_meta const& m) {
  std::string out;
  put_word(out, meta_magic);
  put_word(out, (m.body_too_large ? meta_body_too_large : 0u) | (m.queue ? meta_queue : 0u) |
                    (m.geo.is_eu_country ? meta_is_eu_country : 0u));
  auto const received_at = static_cast<double>(m.received_at_ms);
  char b[8];
  std::memcpy(b, &received_at, 8);
  out.append(b, 8);
  put_word(out, static_cast<std::uint32_t>(m.seed));
  put_word(out, static_cast<std::uint32_t>(m.seed >> 32));
  put_word(out, meta_string_count);
  for (std::uint32_t i = 0; i < meta_string_count; ++i) {
    auto const& text = *field(m, static_cast<meta_string>(i));
    put_word(out, static_cast<std::uint32_t>(text.size()));
    out += text;
  }
  return out;
}

}  // namespace ajs
