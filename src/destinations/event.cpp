#include "destinations/event.hpp"

namespace ajs {

namespace {

// The one table of Segment's call types and their names, in event_type's order.
constexpr std::string_view type_names[] = {"track", "identify", "page", "screen", "group", "alias"};
constexpr event_type types[] = {event_type::track,  event_type::identify, event_type::page,
                                event_type::screen, event_type::group,    event_type::alias};
static_assert(std::size(type_names) == std::size(types));

}  // namespace

std::string_view type_name(event_type t) { return type_names[static_cast<int>(t)]; }

std::optional<event_type> parse_event_type(std::string_view name) {
  for (auto t : types)
    if (type_name(t) == name) return t;
  return std::nullopt;
}

}  // namespace ajs
