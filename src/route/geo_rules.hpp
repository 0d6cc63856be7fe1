#pragma once
// Geo rules: which instance of a destination a message goes to, by where the visitor is
// (README "Geo rules"). A destination's settings may carry
//   "geo": [{"when": {"continent": ["EU"]}, "use": {"apiKey": {"secret": "PX_EU"}, "region": "europe"}}, …]
// The first rule whose `when` matches picks its instance: the destination's settings with the
// rule's `use` laid over them (a separate account: its own dedup scope). No rule matching, or
// nothing known of the visitor, picks the destination's own settings.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/settings_reader.hpp"
#include "core/problem.hpp"
#include "http/request_geo.hpp"

namespace ajs {

// Every listed condition must hold; a list holds when the visitor's value is in it.
struct geo_condition {
  std::vector<std::string> continents;  // "EU", "NA", …
  std::vector<std::string> countries;   // ISO 3166-1 alpha-2, upper-case
  std::optional<bool> eu_country;       // Cloudflare's isEUCountry

  bool matches(request_geo const& geo) const;
};

// Reads `when`: {"continent": [..], "country": [..], "isEUCountry": bool}, at least one of them.
result<geo_condition> parse_geo_condition(settings_reader const& when);

}  // namespace ajs
