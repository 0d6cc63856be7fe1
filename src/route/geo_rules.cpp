#include "route/geo_rules.hpp"

#include <algorithm>

#include "json/access.hpp"

namespace ajs {

namespace {

constexpr std::string_view continents[] = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};

bool listed(std::vector<std::string> const& list, std::string const& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool upper_letters(std::string const& s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

bool geo_condition::matches(request_geo const& geo) const {
  if (!continents.empty() && !listed(continents, geo.continent)) return false;
  if (!countries.empty() && !listed(countries, geo.country)) return false;
  if (eu_country && *eu_country != geo.is_eu_country) return false;
  return true;
}

result<geo_condition> parse_geo_condition(settings_reader const& when) {
  if (auto r = when.only_keys({"continent", "country", "isEUCountry"}); !r) return r.error();
  geo_condition c;
  auto cont = when.string_list("continent");
  if (!cont) return cont.error();
  for (auto const& v : *cont)
    if (std::find(std::begin(continents), std::end(continents), v) == std::end(continents))
      return config_problem(when.field("continent") + ": \"" + v +
                            "\" is not a continent code (AF, AN, AS, EU, NA, OC, SA)");
  c.continents = std::move(*cont);
  auto countries = when.string_list("country");
  if (!countries) return countries.error();
  for (auto const& v : *countries)
    if (!upper_letters(v, 2))
      return config_problem(when.field("country") + ": \"" + v + "\" is not an ISO 3166-1 alpha-2 code (\"DE\")");
  c.countries = std::move(*countries);
  if (json::find(when.object(), "isEUCountry")) {
    auto eu = when.boolean("isEUCountry", false);
    if (!eu) return eu.error();
    c.eu_country = *eu;
  }
  if (c.continents.empty() && c.countries.empty() && !c.eu_country)
    return config_problem(when.path() + ": names no condition (continent, country or isEUCountry)");
  return c;
}

}  // namespace ajs
