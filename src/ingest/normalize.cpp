#include "ingest/normalize.hpp"

#include <boost/json/value.hpp>

#include "ingest/message_id.hpp"
#include "ingest/segment_dates.hpp"
#include "json/access.hpp"
#include "json/parse_json.hpp"

namespace ajs {

namespace {

// Ids may be numbers on the wire; destinations want text. "" and null read as absent.
std::string_view id_as_string(boost::json::object& message, std::string_view key) {
  auto* v = json::find(message, key);
  if (!v) return {};
  if (auto const* s = v->if_string()) return *s;
  std::string scratch;
  auto text = json::id_text(v, scratch);
  if (text.empty()) return {};
  *v = boost::json::string(text, message.storage());
  return v->get_string();
}

bool has_text(boost::json::object const& message, std::string_view key) {
  auto const* v = json::find(message, key);
  if (!v) return false;
  if (auto const* s = v->if_string()) return !s->empty();
  return v->is_int64() || v->is_uint64();
}

// Made in place: a temporary string moved in cost a store-forwarding stall per member (perf).
void set_string(boost::json::object& o, std::string_view key, std::string_view value) {
  o[key].emplace_string().assign(value.data(), value.size());
}

// receivedAt − (sentAt − timestamp), when sentAt was read and the result is an instant a Date can
// hold (a far-off sentAt can push it past ±8.64e15 ms, where toISOString has no answer); else the
// client's timestamp as read.
std::int64_t skew_corrected(std::int64_t received_at, std::int64_t timestamp, js_date sent_at) {
  if (!sent_at || !is_js_time(received_at)) return timestamp;
  std::int64_t const corrected = received_at - (*sent_at - timestamp);
  return is_js_time(corrected) ? corrected : timestamp;
}

// Libraries whose events Segment calls client-side (spec/common.md "Context Fields Automatically
// Collected" names analytics.js, analytics-ios and analytics-android; their successors
// analytics-kotlin and analytics-swift taken alike: an assumption, made here only).
std::string_view library_name(boost::json::object const* context) {
  auto const* library = context ? json::object_at(*context, "library") : nullptr;
  return library ? json::string_or_empty(*library, "name") : std::string_view();
}

bool from_client_library(boost::json::object const* context) {
  auto const name = library_name(context);
  for (std::string_view client :
       {"analytics.js", "analytics-ios", "analytics-android", "analytics-kotlin", "analytics-swift"})
    if (name == client) return true;
  return false;
}

// An HTTP API call that says it comes from the device (http-api "Collecting IP Address").
bool direct(boost::json::object const* context) {
  auto const* v = context ? json::find(*context, "direct") : nullptr;
  return v && v->is_bool() && v->get_bool();
}

boost::json::object& context_of(boost::json::object& message, boost::json::object*& context) {
  if (!context) {
    message["context"] = boost::json::object(message.storage());
    context = &message["context"].get_object();
  }
  return *context;
}

// context.ip under the source's policy, wherever it came from (the client or the edge).
void apply_ip_policy(boost::json::object* context, ip_policy policy) {
  if (!context || policy == ip_policy::full) return;
  auto* ip = json::find(*context, "ip");
  if (!ip) return;
  if (policy == ip_policy::masked && ip->is_string()) {
    if (auto masked = masked_ip(ip->get_string())) {
      *ip = boost::json::string(*masked, context->storage());
      return;
    }
  }
  if (policy == ip_policy::masked && (ip->is_null() || (ip->is_string() && ip->get_string().empty()))) return;
  context->erase("ip");
}

// A coordinate as Cloudflare gives it ("48.13743") as a JSON number; nothing when it is not one.
std::optional<double> coordinate(std::string_view text) {
  if (text.empty() || text.size() > 24) return std::nullopt;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return std::nullopt;
  if (auto const* d = v.if_double()) return *d;
  if (auto const* i = v.if_int64()) return static_cast<double>(*i);
  if (auto const* u = v.if_uint64()) return static_cast<double>(*u);
  return std::nullopt;
}

// Segment's context.location (city, country, region, latitude, longitude: spec/common.md) and
// context.timezone, from the edge, each only where the client sent none.
void add_location(boost::json::object& message, boost::json::object*& context, request_geo const& geo) {
  if (geo.country.empty() && geo.city.empty() && geo.timezone.empty()) return;
  auto& ctx = context_of(message, context);
  auto* location = json::find(ctx, "location");
  if (!location) location = &(ctx["location"] = boost::json::object(ctx.storage()));
  if (auto* loc = location->if_object()) {
    auto put = [&](std::string_view key, std::string const& value) {
      if (!value.empty() && !json::find(*loc, key)) (*loc)[key] = boost::json::string(value, loc->storage());
    };
    put("city", geo.city);
    put("country", geo.country);
    put("region", geo.region);
    for (auto [key, text] : {std::pair{"latitude", &geo.latitude}, {"longitude", &geo.longitude}})
      if (auto n = coordinate(*text); n && !json::find(*loc, key)) (*loc)[key] = *n;
  }
  if (!geo.timezone.empty() && !json::find(ctx, "timezone"))
    ctx["timezone"] = boost::json::string(geo.timezone, ctx.storage());
}

}  // namespace

boost::json::value const* sent_value(boost::json::value const* v) {
  if (!v) return nullptr;
  if (auto const* s = v->if_string()) return s->empty() ? nullptr : v;
  return v->is_number() ? v : nullptr;
}

normalize_result normalize_message(boost::json::object& message, std::optional<event_type> fixed_type,
                                   boost::json::value const* envelope_sent_at, ingest_clock& clock,
                                   enrichment const& edge) {
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

  message.reserve(message.size() + 7);  // what normalization adds, so the members move once
  set_string(message, "type", type_name(*type));

  if (id_as_string(message, "messageId").empty())
    set_string(message, "messageId", generated_message_id(clock.received_at_ms, clock.seed, clock.generated_ids++));

  // Clock-skew correction, as Segment documents it, each value read as Segment's facade reads it
  // (new-date, ingest/segment_dates.hpp: "2014", epoch seconds or ms as numbers or digits, …);
  // one it cannot read counts as absent.
  auto const* original = sent_value(json::find(message, "timestamp"));
  auto const client_ts = original ? new_date(*original) : std::nullopt;
  auto const* own_sent_at = sent_value(json::find(message, "sentAt"));
  auto const* sent_at = own_sent_at ? own_sent_at : sent_value(envelope_sent_at);
  auto const client_sent = sent_at ? new_date(*sent_at) : std::nullopt;
  std::int64_t timestamp = clock.received_at_ms;
  if (client_ts) timestamp = skew_corrected(clock.received_at_ms, *client_ts, client_sent);
  // originalTimestamp: the client's timestamp as it sent it (a number stays a number), copied
  // before any member is added (`original` points into the message).
  bool const keep_original = original && !json::find(message, "originalTimestamp");
  boost::json::value original_copy(message.storage());
  if (keep_original) original_copy = *original;
  // analytics.js moves sentAt from each item to the batch envelope; put it back, as a single
  // message would carry it (a number stays a number, as the item's own would).
  if (!own_sent_at && sent_at && !json::find(message, "sentAt"))
    message["sentAt"] = boost::json::value(*sent_at, message.storage());
  if (keep_original) message["originalTimestamp"] = std::move(original_copy);
  // Without a client timestamp, the arrival's text, written once per request (per message it
  // was 3 % of planning small events natively).
  auto const iso_timestamp = timestamp == clock.received_at_ms ? clock.received_at : to_iso_string(timestamp);
  set_string(message, "timestamp", iso_timestamp.view());
  set_string(message, "receivedAt", clock.received_at.view());

  // Segment fills context.ip "for client side events only" (spec/common.md): from a client-side
  // library, or from an HTTP API call that says it comes from the device (`context.direct: true`,
  // http-api "Collecting IP Address"); never an IPv6 address (analytics.js FAQ: not collected).
  auto* context = json::object_at(message, "context");
  bool const client = from_client_library(context);
  if ((client || direct(context)) && !clock.client_ip.empty() && clock.client_ip.find(':') == std::string_view::npos) {
    context_of(message, context);
    auto const* ip = json::find(*context, "ip");
    if (!ip || ip->is_null() || (ip->is_string() && ip->get_string().empty()))
      set_string(*context, "ip", clock.client_ip);
  }
  apply_ip_policy(context, edge.ip);
  if (edge.location && edge.geo) add_location(message, context, *edge.geo);
  // What Segment's pipeline adds to every message: the channel and the Tracking API's version
  // (spec/common.md "version"; the channel as Segment's processed events show it: "client" from a
  // client library, "server" otherwise, the HTTP API's included).
  set_string(message, "channel", client ? "client" : "server");
  message["version"] = 2;

  normalized_fields f{*type,
                      json::string_or_empty(message, "messageId"),
                      json::string_or_empty(message, "userId"),
                      json::string_or_empty(message, "anonymousId"),
                      timestamp,
                      library_name(context) == "analytics.js"};
  return {f, {}};
}

}  // namespace ajs
