#pragma once
// Which configured destinations receive a message: Segment's consent rules first, then the
// message's `integrations` object.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "destinations/destination.hpp"

namespace ajs {

// `integrations`: names are case-sensitive; a name present decides (false disables, true or an
// object enables); otherwise `All` decides, default true.
bool integrations_allow(boost::json::object const& message, destination_kind const& kind);

// `context.consent.categoryPreferences`: absent → allowed; present → every category the
// destination is mapped to must be true (an empty object grants nothing); a destination mapped
// to no category is unaffected.
bool consent_allows(boost::json::object const& message, std::vector<std::string> const& categories);

}  // namespace ajs
