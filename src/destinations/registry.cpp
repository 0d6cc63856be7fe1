#include "destinations/registry.hpp"

namespace ajs {

extern destination_kind const capture_destination;
extern destination_kind const gist_destination;
extern destination_kind const gainsight_destination;
extern destination_kind const gainsight_px_destination;

namespace {
// One line per destination.
destination_kind const* const all_destinations[] = {
    &capture_destination,
    &gist_destination,
    &gainsight_destination,
    &gainsight_px_destination,
};
}  // namespace

destination_kind const* find_destination_kind(std::string_view config_key) {
  for (auto const* k : all_destinations)
    if (k->config_key == config_key) return k;
  return nullptr;
}

std::string known_destination_keys() {
  std::string out;
  for (auto const* k : all_destinations) {
    if (!out.empty()) out += ", ";
    out += k->config_key;
  }
  return out;
}

}  // namespace ajs
