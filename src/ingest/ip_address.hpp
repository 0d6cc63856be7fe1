#pragma once
// The IP policy a source applies to `context.ip` before any destination sees a message
// (README "Enrichment and the IP policy").
#include <optional>
#include <string>
#include <string_view>

namespace ajs {

enum class ip_policy {
  full,    // as it is (the default, Segment's behaviour)
  masked,  // IPv4 to its /24 (203.0.113.0), IPv6 to its /48 (2001:db8:85a3::)
  none,    // removed
};

// The masked form of an IPv4 or IPv6 address; nullopt when `ip` is neither (a masked policy then
// removes it: text that is no address could hold anything).
std::optional<std::string> masked_ip(std::string_view ip);

}  // namespace ajs
