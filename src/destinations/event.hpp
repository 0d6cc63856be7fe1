#pragma once
// One accepted, normalized Segment message as destinations see it.
#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string_view>

#include "plan/plan_writer.hpp"

namespace ajs {

enum class event_type : std::uint8_t { track, identify, page, screen, group, alias };

// Segment's name of a call type ("track", …) and back (src/destinations/event.cpp: one table).
std::string_view type_name(event_type t);
std::optional<event_type> parse_event_type(std::string_view name);

// A set of call types, e.g. the ones a destination receives: {identify, group, track}.
class event_types {
 public:
  constexpr event_types(std::initializer_list<event_type> types) {
    for (auto t : types) bits_ |= bit(t);
  }
  constexpr bool contains(event_type t) const { return (bits_ & bit(t)) != 0; }

 private:
  static constexpr unsigned bit(event_type t) { return 1u << static_cast<unsigned>(t); }
  unsigned bits_ = 0;
};

struct event {
  event(boost::json::object const& m, event_type t, std::string_view id, std::string_view user,
        std::string_view anonymous, std::int64_t timestamp)
      : message(m), type(t), message_id(id), user_id(user), anonymous_id(anonymous), timestamp_ms(timestamp) {}

  boost::json::object const& message;  // normalized: type, messageId, timestamp, receivedAt, context.ip
  event_type type;
  std::string_view message_id;
  std::string_view user_id;       // "" when absent (numbers arrive as their text)
  std::string_view anonymous_id;  // "" when absent
  std::int64_t timestamp_ms;      // the skew-corrected timestamp

  // Calls for one person keep their order: userId when known, else anonymousId.
  std::string_view order_key() const { return user_id.empty() ? anonymous_id : user_id; }

  // The message serialized once per plan, however many destinations pass it through; without
  // the client's writeKey.
  byte_span passthrough_body(plan_writer& out) const {
    if (!serialized_) adopt_passthrough_body(out.serialize(message, "writeKey"));
    return body_;
  }
  bool has_passthrough_body() const { return serialized_; }
  // A body written as passthrough_body writes it (the same bytes), by a destination that wrote it
  // its own way (Gainsight, through a hook that changed nothing): the others pass it through.
  void adopt_passthrough_body(byte_span body) const {
    body_ = body;
    serialized_ = true;
  }

 private:
  mutable byte_span body_{};
  mutable bool serialized_ = false;
};

}  // namespace ajs
