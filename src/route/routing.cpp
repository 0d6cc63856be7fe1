#include "route/routing.hpp"

#include "json/access.hpp"
#include "route/facade_enabled.hpp"

namespace ajs {

void route_event(event const& e, source_config const& source, request_geo const& where, plan_writer& out) {
  auto const integrations = read_integrations(e.message);  // once, not once per destination
  for (auto const& d : source.destinations) {
    if (!consent_allows(e.message, d.consent_categories)) {
      out.note(note_kind::skipped, d.kind->config_key, e.message_id, "consent");
    } else if (!facade_enabled(integrations, d.kind->catalog_name)) {
      out.note(note_kind::skipped, d.kind->config_key, e.message_id, "integrations");
    } else {
      auto const& instance = d.for_visitor(where);
      out.set_scope(instance.scope);
      instance.impl->plan(e, out);
    }
  }
}

bool consent_allows(boost::json::object const& message, std::vector<std::string> const& categories) {
  if (categories.empty()) return true;
  auto const* context = json::object_at(message, "context");
  auto const* consent = context ? json::object_at(*context, "consent") : nullptr;
  auto const* preferences = consent ? json::object_at(*consent, "categoryPreferences") : nullptr;
  if (!preferences) return true;
  for (auto const& category : categories) {
    auto const* v = json::find(*preferences, category);
    if (!v || !v->is_bool() || !v->get_bool()) return false;
  }
  return true;
}

}  // namespace ajs
