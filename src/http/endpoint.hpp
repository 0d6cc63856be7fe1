#pragma once
// The paths this Worker answers, as Segment's tracking API and CDN spell them.
#include <optional>
#include <string_view>

#include "destinations/event.hpp"

namespace ajs {

enum class endpoint_kind {
  single,    // /v1/t|i|p|g|a|s and /v1/track|identify|page|screen|group|alias
  batch,     // /v1/b, /v1/batch, /v1/import
  metrics,   // /v1/m: analytics.js telemetry, accepted and not forwarded
  settings,  // GET /v1/projects/:writeKey/settings
  unknown,
};

struct endpoint {
  endpoint_kind kind = endpoint_kind::unknown;
  std::optional<event_type> type;  // for single
  std::string_view write_key;      // for settings (a view into the path)
  std::string_view allowed_method() const { return kind == endpoint_kind::settings ? "GET" : "POST"; }
};

// `path` is the request path with the configured basePath already removed.
endpoint match_endpoint(std::string_view path);

// The writeKey of a settings path under any prefix (…/projects/:writeKey/settings), or "": what a
// page whose analytics.js misses the basePath asks for.
std::string_view settings_write_key_anywhere(std::string_view path);

}  // namespace ajs
