#pragma once
// Which configured destinations receive a message, and the routing loop itself: Segment's consent
// rules first, then the message's `integrations` object (route/facade_enabled.hpp).
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "destinations/destination.hpp"
#include "destinations/event.hpp"
#include "plan/plan_writer.hpp"

namespace ajs {

// Plans one accepted message for each of its source's destinations that consent and
// `integrations` let it reach; the others get a `skipped` note saying which rule kept it away.
// `where`: the visitor's geo, which picks each destination's instance (route/geo_rules.hpp).
void route_event(event const& e, source_config const& source, request_geo const& where, plan_writer& out);

// `context.consent.categoryPreferences`: absent → allowed; present → every category the
// destination is mapped to must be true (an empty object grants nothing); a destination mapped
// to no category is unaffected.
bool consent_allows(boost::json::object const& message, std::vector<std::string> const& categories);

}  // namespace ajs
