#pragma once
// The settings of one configured Gist destination (config key "gist"), read once at config load.
// Schema and defaults: README.md "Gist" "Settings".
#include <cstdint>
#include <string>

#include "config/settings_reader.hpp"
#include "core/problem.hpp"

namespace ajs::gist {

// What a group call becomes. Gist has no company object (gist-api.md §8), so it is either
// company_* properties on the member's contact or a tag on it.
enum class group_mode : std::uint8_t { off, company, tag };

struct settings {
  std::string api_key_binding;  // Worker secret holding the workspace API key
  std::string base_url;         // https://api.getgist.com unless `endpoint` overrides it
  bool pages = false;           // page → a Gist event
  std::string page_event_name;  // fixed event name for pages; "" = "Viewed <name> Page"
  group_mode groups = group_mode::off;
  bool tags = false;  // traits.tags → POST /tags tag/untag calls instead of contact tags
};

result<settings> read_settings(settings_reader const& reader);

}  // namespace ajs::gist
