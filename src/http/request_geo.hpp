#pragma once
// What the edge knows about where a request comes from (Cloudflare's `request.cf`), as the host
// passes it in the request meta. Every field is "" when the host does not know it (wrangler dev
// without a `cf` object, a Node host): then no geo rule matches and nothing is enriched.
#include <string>

namespace ajs {

struct request_geo {
  std::string continent;    // "EU", "NA", … (cf.continent)
  std::string country;      // ISO 3166-1 alpha-2, "DE" (cf.country; "T1" for Tor, "XX" unknown)
  std::string region;       // "Bavaria" (cf.region)
  std::string region_code;  // "BY" (cf.regionCode)
  std::string city;         // "Munich"
  std::string postal_code;  // "80331"
  std::string timezone;     // "Europe/Berlin"
  std::string latitude;     // "48.13743", as text: written into messages as Cloudflare gives it
  std::string longitude;
  bool is_eu_country = false;  // cf.isEUCountry ("1")
};

}  // namespace ajs
