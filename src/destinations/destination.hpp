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
  std::string_view config_key;  // key under "destinations" in the config
  // Its name in Segment's catalog: the key a message's `integrations` object names it by
  // (route/facade_enabled.hpp).
  std::string_view catalog_name;
  result<std::unique_ptr<destination>> (*make)(settings_reader const& settings);
};

}  // namespace ajs
