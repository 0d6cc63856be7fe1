#include "http/identity_cookie.hpp"

namespace ajs {

namespace {

// js-cookie's converter.write: encodeURIComponent, then these escapes decoded again
// (/%(2[346BF]|3[AC-F]|40|5[BDEF]|60|7[BCD])/g): # $ & + / : < = > ? @ [ ] ^ _ ` { | }.
bool kept(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  for (char k : std::string_view("-_.!~*'()#$&+/:<=>?@[]^`{|}"))
    if (c == static_cast<unsigned char>(k)) return true;
  return false;
}

}  // namespace

std::string identity_cookie(identity_cookie_config const& c, std::string_view anonymous_id) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string value;
  for (unsigned char ch : anonymous_id) {
    if (kept(ch)) {
      value += static_cast<char>(ch);
    } else {
      value += '%';
      value += hex[ch >> 4];
      value += hex[ch & 0xf];
    }
    if (value.size() > identity_cookie_max_value) return {};
  }
  std::string cookie =
      "ajs_anonymous_id=" + value + "; Max-Age=" + std::to_string(std::uint64_t{c.max_age_days} * 86400) + "; Path=/";
  if (!c.domain.empty()) cookie += "; Domain=" + c.domain;
  return cookie + "; Secure; SameSite=Lax";
}

}  // namespace ajs
