#pragma once
// One Segment message: validated, then normalized in place the way Segment's tracking API does
// before destinations see it.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "destinations/event.hpp"
#include "http/request_geo.hpp"
#include "ingest/ip_address.hpp"
#include "ingest/timestamp.hpp"

namespace ajs {

// What every message of one request shares.
struct ingest_clock {
  std::int64_t received_at_ms = 0;
  iso8601_text received_at;  // ISO form of received_at_ms
  std::string_view client_ip;
  std::uint64_t seed = 0;
  std::uint32_t generated_ids = 0;
};

// What the source's settings add and remove, from what the edge knows (README "Enrichment and the
// IP policy"): applied to every message before any destination sees it.
struct enrichment {
  ip_policy ip = ip_policy::full;
  bool location = false;  // context.location and context.timezone from `geo`, where the client left them out
  request_geo const* geo = nullptr;
};

struct normalized_fields {
  event_type type;
  std::string_view message_id;
  std::string_view user_id;
  std::string_view anonymous_id;
  std::int64_t timestamp_ms;
  bool from_analytics_js = false;  // context.library.name is "analytics.js"
};

// Why a message is refused; stable codes that reach the client's error message and the logs.
struct rejection {
  std::string_view code;
  std::string_view message;
};

// A timestamp or sentAt the client sent: text or a number ("" and null are none, as for ids);
// nullptr for anything else.
boost::json::value const* sent_value(boost::json::value const* v);

// `fixed_type`: the type named by the endpoint (/v1/t → track), which wins over the body's.
// `envelope_sent_at`: the batch envelope's sentAt member (or nullptr), read when the message has
// no usable sentAt of its own (text or a number, as the message's own); it is copied into the
// message as it is.
// Rules: userId or anonymousId required (numbers become strings); track needs `event`; group
// needs `groupId`; alias needs `previousId`. Then: `type` set, `messageId` kept or generated,
// `receivedAt` set, `timestamp = receivedAt − (sentAt − timestamp)` (both read as Segment's
// facade reads dates: segment_dates.hpp; receivedAt when the timestamp cannot be read) with the
// client's value kept as `originalTimestamp`; `context.ip` from CF-Connecting-IP when absent, for a
// client-side event only (IPv4); `channel` and `version` as Segment's pipeline sets them. `writeKey`
// stays in the object but is never sent: a Segment credential is no destination's business, and
// event::passthrough_body leaves it out (erasing it here would reorder the members).
struct normalize_result {
  std::optional<normalized_fields> fields;
  rejection why{};
};
normalize_result normalize_message(boost::json::object& message, std::optional<event_type> fixed_type,
                                   boost::json::value const* envelope_sent_at, ingest_clock& clock,
                                   enrichment const& edge = {});

}  // namespace ajs
