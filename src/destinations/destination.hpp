#pragma once
// What a destination is to the core: it reads its settings once (at config load) and then turns
// each routed event into planned calls, or into a note saying why nothing was sent.
// Adding a destination: a folder under destinations/ and one line in registry.cpp.
#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "config/settings_reader.hpp"
#include "core/problem.hpp"
#include "destinations/event.hpp"
#include "plan/plan_writer.hpp"

namespace ajs {

class destination {
 public:
  virtual ~destination() = default;
  virtual void plan(event const& e, plan_writer& out) const = 0;
};

struct destination_kind {
  std::string_view config_key;                        // key under "destinations" in the config
  std::array<std::string_view, 3> integration_names;  // names in a message's `integrations` object
  result<std::unique_ptr<destination>> (*make)(settings_reader const& settings);
};

}  // namespace ajs
