#include "http/endpoint.hpp"

namespace ajs {

namespace {

struct single_path {
  std::string_view short_name, long_name;
  event_type type;
};
constexpr single_path single_paths[] = {
    {"t", "track", event_type::track}, {"i", "identify", event_type::identify}, {"p", "page", event_type::page},
    {"s", "screen", event_type::screen}, {"g", "group", event_type::group},     {"a", "alias", event_type::alias},
};

}  // namespace

endpoint match_endpoint(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  constexpr std::string_view projects = "/projects/", settings = "/settings";
  std::string_view rest = path;
  if (rest.substr(0, 3) == "/v1") rest.remove_prefix(3);
  if (rest.substr(0, projects.size()) == projects && rest.size() > projects.size() + settings.size() &&
      rest.substr(rest.size() - settings.size()) == settings) {
    auto key = rest.substr(projects.size(), rest.size() - projects.size() - settings.size());
    if (!key.empty() && key.find('/') == key.npos) return {endpoint_kind::settings, std::nullopt, key};
  }
  if (path.substr(0, 4) != "/v1/") return {};
  auto const name = path.substr(4);
  for (auto const& p : single_paths)
    if (name == p.short_name || name == p.long_name) return {endpoint_kind::single, p.type, {}};
  if (name == "b" || name == "batch" || name == "import") return {endpoint_kind::batch, std::nullopt, {}};
  if (name == "m") return {endpoint_kind::metrics, std::nullopt, {}};
  return {};
}

}  // namespace ajs
