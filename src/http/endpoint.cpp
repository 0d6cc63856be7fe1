#include "http/endpoint.hpp"

namespace ajs {

namespace {

// analytics.js's short paths; the long ones are the call types' names (type_name).
struct single_path {
  std::string_view short_name;
  event_type type;
};
constexpr single_path single_paths[] = {
    {"t", event_type::track},  {"i", event_type::identify}, {"p", event_type::page},
    {"s", event_type::screen}, {"g", event_type::group},    {"a", event_type::alias},
};

}  // namespace

std::string_view settings_write_key_anywhere(std::string_view path) {
  constexpr std::string_view projects = "/projects/", settings = "/settings";
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.size() <= settings.size() || path.substr(path.size() - settings.size()) != settings) return {};
  auto const rest = path.substr(0, path.size() - settings.size());
  auto const slash = rest.rfind('/');
  if (slash == std::string_view::npos) return {};
  auto const key = rest.substr(slash + 1);
  auto const head = rest.substr(0, slash + 1);
  if (key.empty() || head.size() < projects.size() || head.substr(head.size() - projects.size()) != projects) return {};
  return key;
}

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
    if (name == p.short_name || name == type_name(p.type)) return {endpoint_kind::single, p.type, {}};
  if (name == "b" || name == "batch" || name == "import") return {endpoint_kind::batch, std::nullopt, {}};
  if (name == "m") return {endpoint_kind::metrics, std::nullopt, {}};
  return {};
}

}  // namespace ajs
