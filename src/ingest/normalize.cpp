#include "ingest/normalize.hpp"

#include <boost/json/value.hpp>

#include "ingest/message_id.hpp"
#include "ingest/timestamp.hpp"
#include "json/access.hpp"

namespace ajs {

namespace {

// Ids may be numbers on the wire; destinations want text. "" and null read as absent.
std::string_view id_as_string(boost::json::object& message, std::string_view key) {
  auto* v = message.if_contains(key);
  if (!v) return {};
  if (auto const* s = v->if_string()) return *s;
  std::string scratch;
  auto text = json::id_text(v, scratch);
  if (text.empty()) return {};
  *v = boost::json::string(text, message.storage());
  return v->get_string();
}

bool has_text(boost::json::object const& message, std::string_view key) {
  auto const* v = message.if_contains(key);
  if (!v) return false;
  if (auto const* s = v->if_string()) return !s->empty();
  return v->is_int64() || v->is_uint64();
}

void set_string(boost::json::object& o, std::string_view key, std::string_view value) {
  o[key] = boost::json::string(value, o.storage());
}

}  // namespace

normalize_result normalize_message(boost::json::object& message, std::optional<event_type> fixed_type,
                                   std::string_view sent_at, ingest_clock& clock) {
  auto type = fixed_type ? fixed_type : parse_event_type(json::string_or_empty(message, "type"));
  if (!type) return {std::nullopt, {"invalid_type", "type must be track, identify, page, screen, group or alias"}};

  auto const user_id = id_as_string(message, "userId");
  auto const anonymous_id = id_as_string(message, "anonymousId");
  if (user_id.empty() && anonymous_id.empty())
    return {std::nullopt, {"missing_identity", "userId or anonymousId is required"}};
  if (*type == event_type::track && json::string_or_empty(message, "event").empty())
    return {std::nullopt, {"missing_event", "track requires an event name"}};
  if (*type == event_type::group && !has_text(message, "groupId"))
    return {std::nullopt, {"missing_group_id", "group requires a groupId"}};
  if (*type == event_type::alias && !has_text(message, "previousId"))
    return {std::nullopt, {"missing_previous_id", "alias requires a previousId"}};

  message.reserve(message.size() + 5);  // what normalization adds, so the members move once
  set_string(message, "type", type_name(*type));

  if (id_as_string(message, "messageId").empty())
    set_string(message, "messageId", generated_message_id(clock.received_at_ms, clock.seed, clock.generated_ids++));

  // Clock-skew correction, as Segment documents it.
  auto const original = json::string_or_empty(message, "timestamp");
  auto const client_ts = parse_iso8601_ms(original);
  auto own_sent_at = json::string_or_empty(message, "sentAt");
  auto const client_sent = parse_iso8601_ms(own_sent_at.empty() ? sent_at : own_sent_at);
  // analytics.js moves sentAt from each item to the batch envelope; put it back, as a single
  // message would carry it.
  if (own_sent_at.empty() && !sent_at.empty() && !message.contains("sentAt")) set_string(message, "sentAt", sent_at);
  std::int64_t timestamp = clock.received_at_ms;
  if (client_ts && client_sent)
    timestamp = clock.received_at_ms - (*client_sent - *client_ts);
  else if (client_ts)
    timestamp = *client_ts;
  if (!original.empty() && !message.contains("originalTimestamp")) set_string(message, "originalTimestamp", original);
  set_string(message, "timestamp", format_iso8601_ms(timestamp));
  set_string(message, "receivedAt", clock.received_at);

  if (!clock.client_ip.empty()) {
    auto* context = json::object_at(message, "context");
    if (!context) {
      message["context"] = boost::json::object(message.storage());
      context = &message["context"].get_object();
    }
    if (json::string_or_empty(*context, "ip").empty()) set_string(*context, "ip", clock.client_ip);
  }

  normalized_fields f{*type, json::string_or_empty(message, "messageId"), json::string_or_empty(message, "userId"),
                      json::string_or_empty(message, "anonymousId"), timestamp};
  return {f, {}};
}

}  // namespace ajs
