#pragma once
// Whether a message's routing fields let it reach a destination, by Segment's own rule: the
// `enabled(name)` of segmentio-facade 3.2.7 (lib/facade.js), which every classic integration ran
// behind (segmentio-integration 5.1.0 lib/proto.js), with obj-case 0.2.1's key matching.
// tests/fidelity/integrations_routing.test.mjs checks it against facade itself.
#include <boost/json/object.hpp>
#include <string_view>

namespace ajs {

// 1. "all": the first boolean of options.providers.all, options.all, integrations().all, where each
//    path is looked up obj-case style (keys compared lower-cased, without what is not a letter, a
//    digit or a dot: "ALL", "a l l"); else true.
// 2. integrations().providers[name] (own key, exact case), its value's truthiness;
// 3. integrations()[name] (own key, exact case): a boolean as it is, any other value enables.
// integrations() is the message's `integrations` when truthy, else options.providers, else
// options(): `options` when truthy, else `context`.
//
// In two steps: what does not depend on the destination's name (1. and integrations()), read
// once per message; then each destination's name against it.
struct facade_integrations {
  bool all = true;                                // 1.
  boost::json::object const* settings = nullptr;  // integrations(), when it is an object
};
facade_integrations read_integrations(boost::json::object const& message);
bool facade_enabled(facade_integrations const& integrations, std::string_view name);

}  // namespace ajs
