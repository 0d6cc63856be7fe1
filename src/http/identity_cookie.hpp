#pragma once
// The first-party id cookie (README "The anonymous id cookie"): a source whose analytics.js runs on
// the site's own origin may have the Worker set or refresh `ajs_anonymous_id` on its replies, with
// a long Max-Age, so that the anonymous id outlives the caps browsers put on cookies a script sets
// (Safari: 7 days). analytics.js reads it back when its local storage is gone.
#include <cstdint>
#include <string>
#include <string_view>

namespace ajs {

struct identity_cookie_config {
  bool enabled = false;
  std::string domain;                // "example.com" (the site and its subdomains); "" = this host only
  std::uint32_t max_age_days = 365;  // analytics.js's own: a year
};

inline constexpr std::uint32_t identity_cookie_max_days = 400;  // what browsers keep at most
inline constexpr std::size_t identity_cookie_max_value = 512;

// The Set-Cookie value for `anonymous_id`, its value encoded as analytics.js's cookie library
// (js-cookie 3) writes it; "" when the encoded id is longer than identity_cookie_max_value.
std::string identity_cookie(identity_cookie_config const& c, std::string_view anonymous_id);

}  // namespace ajs
