#include "ingest/ip_address.hpp"

#include <array>
#include <cstdint>

namespace ajs {

namespace {

std::optional<std::string> masked_ipv4(std::string_view ip) {
  std::array<int, 4> parts{};
  std::size_t part = 0, digits = 0;
  for (char c : ip) {
    if (c == '.') {
      if (digits == 0 || ++part > 3) return std::nullopt;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return std::nullopt;
      parts[part] = parts[part] * 10 + (c - '0');
      if (parts[part] > 255) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (part != 3 || digits == 0) return std::nullopt;
  return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]) + ".0";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The eight groups of an IPv6 address ("::" expanded; an embedded IPv4 tail counts as two).
std::optional<std::array<std::uint16_t, 8>> ipv6_groups(std::string_view ip) {
  if (auto zone = ip.find('%'); zone != std::string_view::npos) ip = ip.substr(0, zone);
  std::array<std::uint16_t, 8> head{}, tail{};
  std::size_t n_head = 0, n_tail = 0;
  bool gap = false;
  auto const gap_at = ip.find("::");
  if (gap_at != std::string_view::npos) {
    if (ip.find("::", gap_at + 1) != std::string_view::npos) return std::nullopt;
    gap = true;
  }
  auto read = [](std::string_view part, std::array<std::uint16_t, 8>& out, std::size_t& n) -> bool {
    if (part.empty()) return true;
    std::size_t start = 0;
    while (start <= part.size()) {
      auto const end = std::min(part.find(':', start), part.size());
      auto const group = part.substr(start, end - start);
      if (group.find('.') != std::string_view::npos) {  // a trailing IPv4: two groups
        if (end != part.size() || n > 6) return false;
        auto v4 = masked_ipv4(group);  // validates the form
        if (!v4) return false;
        std::array<int, 4> b{};
        std::size_t i = 0;
        for (char c : group) {
          if (c == '.')
            ++i;
          else
            b[i] = b[i] * 10 + (c - '0');
        }
        out[n++] = static_cast<std::uint16_t>(b[0] << 8 | b[1]);
        out[n++] = static_cast<std::uint16_t>(b[2] << 8 | b[3]);
        return true;
      }
      if (group.empty() || group.size() > 4 || n >= 8) return false;
      unsigned v = 0;
      for (char c : group) {
        int d = hex_digit(c);
        if (d < 0) return false;
        v = v << 4 | static_cast<unsigned>(d);
      }
      out[n++] = static_cast<std::uint16_t>(v);
      start = end + 1;
      if (end == part.size()) break;
    }
    return true;
  };
  if (gap) {
    if (!read(ip.substr(0, gap_at), head, n_head) || !read(ip.substr(gap_at + 2), tail, n_tail)) return std::nullopt;
    if (n_head + n_tail > 7) return std::nullopt;
  } else {
    if (!read(ip, head, n_head) || n_head != 8) return std::nullopt;
  }
  std::array<std::uint16_t, 8> groups{};
  for (std::size_t i = 0; i < n_head; ++i) groups[i] = head[i];
  for (std::size_t i = 0; i < n_tail; ++i) groups[8 - n_tail + i] = tail[i];
  return groups;
}

std::string hex(std::uint16_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    int d = (v >> shift) & 0xf;
    if (d || started || shift == 0) {
      s += digits[d];
      started = true;
    }
  }
  return s;
}

}  // namespace

std::optional<std::string> masked_ip(std::string_view ip) {
  if (ip.find(':') == std::string_view::npos) return masked_ipv4(ip);
  auto groups = ipv6_groups(ip);
  if (!groups) return std::nullopt;
  auto const& g = *groups;
  // The /48 prefix in RFC 5952's form: trailing zero groups of the three fold into the "::".
  std::size_t keep = 3;
  while (keep > 0 && g[keep - 1] == 0) --keep;
  std::string out;
  for (std::size_t i = 0; i < keep; ++i) out += hex(g[i]) + ":";
  return keep == 0 ? std::string("::") : out + ":";
}

}  // namespace ajs
