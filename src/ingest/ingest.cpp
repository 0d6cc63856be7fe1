#include "ingest/ingest.hpp"

#include <algorithm>
#include <array>

#include "http/reply.hpp"
#include "ingest/basic_auth.hpp"
#include "ingest/limits.hpp"
#include "ingest/lone_surrogates.hpp"
#include "ingest/normalize.hpp"
#include "ingest/timestamp.hpp"
#include "json/access.hpp"
#include "json/arena.hpp"
#include "json/parse_json.hpp"
#include "json/serialized_size.hpp"
#include "json/write_json.hpp"
#include "http/identity_cookie.hpp"
#include "route/routing.hpp"

namespace ajs {

namespace {

namespace bj = boost::json;

problem unauthorized(std::string message, std::string setting) {
  return {401, "unauthorized", std::move(message), std::move(setting), docs::configuration};
}

// Envelope `context` and `integrations` fill what an item does not set itself.
void merge_envelope(bj::object& item, bj::object const& envelope, std::string_view key) {
  auto const* from = json::object_at(envelope, key);
  if (!from) return;
  auto* into = json::object_at(item, key);
  if (!into) {
    item[key] = bj::object(*from, item.storage());
    return;
  }
  for (auto const& kv : *from)
    if (!json::find(*into, kv.key())) into->emplace(kv.key(), kv.value());  // emplace grows the object before it looks
}

// At most what merge_envelope adds to any item: the envelope's `key` member whole (an item with
// its own object keeps its members, so this bounds from above).
std::size_t envelope_member_size(bj::object const& envelope, std::string_view key) {
  auto const* v = json::find(envelope, key);
  if (!v || !v->is_object()) return 0;
  return key.size() + 4 + json::serialized_size(*v, limits::envelope_expansion_bytes);
}

// What normalize_message adds to an item without a sentAt member: the envelope's, if it has one
// (sent_value), as `,"sentAt":…` (a long one is copied into every item, as a context would be).
std::size_t envelope_sent_at_size(bj::object const& envelope) {
  auto const* v = sent_value(json::find(envelope, "sentAt"));
  return v ? std::string_view("sentAt").size() + 4 + json::serialized_size(*v, limits::event_bytes) : 0;
}

// Exactly what merge_envelope adds to this item (walks the envelope's members: call it only for
// the rare item near the limit).
std::size_t merged_extra(bj::object const& item, bj::object const& envelope, std::string_view key) {
  auto const* from = json::object_at(envelope, key);
  if (!from) return 0;
  auto const* into = json::object_at(item, key);
  if (!into) return envelope_member_size(envelope, key);
  std::size_t extra = 0;
  for (auto const& kv : *from)
    if (!json::find(*into, kv.key()))
      extra +=
          json::json_string_size(kv.key()) + 2 + json::serialized_size(kv.value(), limits::event_bytes);  // ,"key":
  return extra;
}

struct request_state {
  request_meta const& meta;
  config const& cfg;
  plan_writer& out;
  ingest_clock clock;
  std::string basic_key;
  std::size_t body_bytes = 0;
  // The body's size and its batch items' at most, as the parse counted them (when measured).
  json::size_bounds const& sizes;
  // The reply's id cookie (http/identity_cookie.hpp): the last anonymousId analytics.js sent for a
  // source that asks for it.
  std::string identity_cookie;
};

// The writeKey: the message's own, else the envelope's, else Basic auth.
result<source_config const*> find_source(request_state& st, std::string_view own_key) {
  std::string_view key = own_key.empty() ? std::string_view(st.basic_key) : own_key;
  if (key.empty())
    return unauthorized("writeKey missing: send it in the body or as Basic auth (base64 of 'writeKey:')",
                        "the client's writeKey");
  auto const* source = st.cfg.find_source(key);
  if (!source)
    return unauthorized(
        "unknown writeKey " + write_key_hint(key) + ": no source in the configuration (AJS_EDGE_CONFIG) has it",
        "sources[].writeKey");
  if (!st.meta.origin.empty() && !source->origin_allowed(st.meta.origin))
    return problem{403, "forbidden_origin",
                   "origin " + quoted_clip(st.meta.origin, 100) + " is not allowed for writeKey " +
                       write_key_hint(key) + ": add it to the source's allowedOrigins",
                   "sources[" + std::to_string(source - st.cfg.sources.data()) + "].allowedOrigins",
                   docs::configuration};
  return source;
}

// The source's requests are counted by its Rate Limiting bindings (the host checks them, in
// order, before anything is delivered).
// Every client-IP limit comes first: the host stops at the first refusal, so one noisy client
// does not use up its sources' budgets.
// `sources`: a range of source_config const* (a beacon's one, in an array: no allocation).
template <class Sources>
void count_request(request_state& st, Sources const& sources) {
  for (auto const* source : sources) st.out.source(source->id);
  for (auto const* source : sources)
    if (!source->rate_limit_client_ip.empty() && !st.meta.client_ip.empty())
      st.out.rate_limit(source->rate_limit_client_ip, {"ip:", source->id, ":", st.meta.client_ip});
  for (auto const* source : sources)
    if (!source->rate_limit_write_key.empty()) st.out.rate_limit(source->rate_limit_write_key, {"wk:", source->id});
}

// limits.hpp: what one request may make the host send.
outgoing_budget budget_for(std::size_t body_bytes, std::size_t messages) {
  if (messages == 0) messages = 1;
  return {
      std::min(limits::budget_calls_per_message * messages + limits::budget_calls_slack, limits::budget_calls_max),
      limits::budget_bytes_factor * (body_bytes + limits::normalization_bytes * messages) + limits::budget_bytes_slack};
}

problem over_budget_problem(plan_writer const& out, outgoing_budget const& b) {
  auto p =
      invalid_request("refused: this request would make the Worker send " + std::to_string(out.request_count()) +
                      "+ calls / " + std::to_string(out.outgoing_bytes()) + "+ bytes, over its budget of " +
                      std::to_string(b.max_calls) + " calls and " + std::to_string(b.max_bytes) +
                      " bytes (32 calls a message + 64, at most 25000; 4 x (request bytes + 512 a message) + 64 KB)");
  p.docs = docs::security;
  return p;
}

enrichment enrichment_of(request_state const& st, source_config const& source) {
  return {source.ip, source.enrich_location, &st.meta.geo};
}

void accept(request_state& st, bj::object& message, normalized_fields const& f, source_config const& source) {
  event e{message, f.type, f.message_id, f.user_id, f.anonymous_id, f.timestamp_ms};
  ++st.out.counters().events_accepted;
  if (source.identity_cookie.enabled && f.from_analytics_js && !f.anonymous_id.empty())
    st.identity_cookie = identity_cookie(source.identity_cookie, f.anonymous_id);
  route_event(e, source, st.meta.geo, st.out);
}

// CORS headers go on every reply an allowed origin gets, errors included, so that the page
// can read them; a refused origin gets none.
void cors(request_state& st, bool origin_refused) {
  if (!st.meta.origin.empty() && !origin_refused && st.cfg.any_source_allows_origin(st.meta.origin))
    allow_origin(st.out, st.meta.origin);
}

void reply_ok(request_state& st) {
  reply_success(st.out);
  cors(st, false);
  if (!st.identity_cookie.empty()) st.out.reply_header("set-cookie", st.identity_cookie);
}

void reply_error(request_state& st, problem const& p) {
  reply_problem(st.out, p);
  cors(st, p.code == "forbidden_origin");
}

// Nothing planned is sent: the request as a whole is refused, all its `messages` counted as such.
void refuse_over_budget(request_state& st, outgoing_budget const& budget, std::size_t messages) {
  auto const p = over_budget_problem(st.out, budget);
  st.out.discard_calls();
  auto& c = st.out.counters();
  c.events_received = c.events_rejected = static_cast<std::uint32_t>(messages);
  c.events_accepted = 0;
  reply_error(st, p);
}

void ingest_single(request_state& st, bj::object& message, endpoint const& ep) {
  auto source = find_source(st, json::string_or_empty(message, "writeKey"));
  if (!source) return reply_error(st, source.error());
  count_request(st, std::array<source_config const*, 1>{*source});
  if (json::longest_rewrite_size(st.body_bytes) > limits::event_bytes &&
      !json::fits(message, limits::event_bytes, st.sizes.document))
    return reply_error(st, invalid_request("message exceeds the 32 KB limit"));
  auto const budget = budget_for(st.body_bytes, 1);
  st.out.set_budget(budget);
  ++st.out.counters().events_received;
  auto n = normalize_message(message, ep.type, nullptr, st.clock, enrichment_of(st, **source));
  if (!n.fields) {
    ++st.out.counters().events_rejected;
    if ((*source)->reject_invalid_events) return reply_error(st, invalid_request(std::string(n.why.message)));
    // Segment's reply: 200, the event dropped (its reason in the note, and so in the log).
    st.out.note(note_kind::dropped, {}, json::string_or_empty(message, "messageId"), n.why.code);
    return reply_ok(st);
  }
  accept(st, message, *n.fields, **source);
  if (st.out.over_budget()) return refuse_over_budget(st, budget, 1);
  reply_ok(st);
}

void ingest_batch(request_state& st, bj::object& envelope) {
  auto* items = json::find(envelope, "batch");
  if (!items || !items->is_array()) { return reply_error(st, invalid_request("batch must be an array of messages")); }
  auto& batch = items->get_array();
  auto const envelope_key = json::string_or_empty(envelope, "writeKey");
  std::size_t const count = batch.size() < limits::batch_items ? batch.size() : limits::batch_items;

  // Pass 1, before anything is planned: every key known and every message within the limit as
  // it will be delivered (the envelope's context, integrations and sentAt merged in), else the
  // whole request is refused (Segment: 401 / 400). The copies the merge makes are capped as a whole.
  std::vector<source_config const*> sources(count, nullptr);
  std::vector<source_config const*> counted;  // distinct sources, for the rate limits
  std::size_t const sent_at_extra = envelope_sent_at_size(envelope);
  std::size_t const envelope_extra =
      envelope_member_size(envelope, "context") + envelope_member_size(envelope, "integrations") + sent_at_extra;
  // Each item is measured as it will be written (numbers re-written as JavaScript writes them may
  // grow: 1e20 is 21 bytes), unless the whole request is too short to come out past the limit.
  auto const room = envelope_extra < limits::event_bytes ? limits::event_bytes - envelope_extra : 0;
  bool const measured = json::longest_rewrite_size(st.body_bytes) > room;
  std::size_t expansion = 0;
  bool key_checked = false;
  for (std::size_t i = 0; i < count; ++i) {
    auto const* item = batch[i].if_object();
    if (!item) continue;
    auto own = json::string_or_empty(*item, "writeKey");
    auto source = find_source(st, own.empty() ? envelope_key : own);
    if (!source) return reply_error(st, source.error());
    sources[i] = *source;
    if (std::find(counted.begin(), counted.end(), *source) == counted.end()) counted.push_back(*source);
    key_checked = true;
    expansion += envelope_extra;
    if (expansion > limits::envelope_expansion_bytes) {
      return reply_error(st, invalid_request("the batch's context, integrations and sentAt, copied into each of its " +
                                             std::to_string(count) + " items, would add over " +
                                             std::to_string(limits::envelope_expansion_bytes / 1024) +
                                             " KB: send them in each item instead"));
    }
    // The parse's bound for the item (its elements are the last `batch` member's, the one kept).
    auto const bound = st.sizes.elements.size() == count ? st.sizes.elements[i] : json::size_bounds::unknown;
    // Within the room every envelope member leaves, else within what its own members leave of them.
    auto const own_room = [&] {
      return limits::event_bytes - std::min(limits::event_bytes, merged_extra(*item, envelope, "context") +
                                                                     merged_extra(*item, envelope, "integrations") +
                                                                     (json::find(*item, "sentAt") ? 0 : sent_at_extra));
    };
    if (measured && !json::fits(batch[i], room, bound) && !json::fits(batch[i], own_room(), bound)) {
      return reply_error(st, invalid_request("batch[" + std::to_string(i) +
                                             "] exceeds the 32 KB limit per message (the batch's context, "
                                             "integrations and sentAt included)"));
    }
  }
  // A batch with no message to take a key from still needs a valid one (empty, or all invalid).
  if (!key_checked) {
    auto source = find_source(st, envelope_key);
    if (!source) return reply_error(st, source.error());
    counted.push_back(*source);
  }
  count_request(st, counted);
  auto const budget = budget_for(st.body_bytes, count);
  st.out.set_budget(budget);
  // A call per message and destination, most often: the calls' table sized once (reserve_for
  // guesses from the body's size alone, and small events plan more calls a byte than it allows).
  std::size_t destinations = 0;
  for (auto const* source : counted) destinations = std::max(destinations, source->destinations.size());
  st.out.reserve_calls(count * destinations);

  // Pass 2: invalid messages are dropped and counted; valid ones go on, in order.
  auto const* sent_at = json::find(envelope, "sentAt");
  for (std::size_t i = 0; i < count; ++i) {
    ++st.out.counters().events_received;
    auto* item = batch[i].if_object();
    if (!item) {
      ++st.out.counters().events_rejected;
      st.out.note(note_kind::dropped, {}, {}, "not_an_object");
      continue;
    }
    merge_envelope(*item, envelope, "context");
    merge_envelope(*item, envelope, "integrations");
    auto n = normalize_message(*item, std::nullopt, sent_at, st.clock, enrichment_of(st, *sources[i]));
    if (!n.fields) {
      ++st.out.counters().events_rejected;
      st.out.note(note_kind::dropped, {}, json::string_or_empty(*item, "messageId"), n.why.code);
      continue;
    }
    accept(st, *item, *n.fields, *sources[i]);
    if (st.out.over_budget()) return refuse_over_budget(st, budget, batch.size());
  }
  // Items past the limit: counted, and one note for all of them (a note each would let 250,000
  // tiny items fill memory and the log).
  if (batch.size() > count) {
    auto const over = static_cast<std::uint32_t>(batch.size() - count);
    st.out.counters().events_received += over;
    st.out.counters().events_rejected += over;
    st.out.note(note_kind::dropped, {}, {}, "batch_item_limit");
  }
  reply_ok(st);
}

}  // namespace

void ingest(request_meta const& meta, std::string_view body, config const& cfg, endpoint const& ep, plan_writer& out) {
  json::size_bounds sizes;
  sizes.array_member = "batch";
  sizes.max_elements = limits::batch_items;  // the items planned; the rest are dropped unread
  request_state st{meta, cfg, out, {}, {}, body.size(), sizes, {}};
  if (!meta.body_error.empty()) return reply_error(st, invalid_request(meta.body_error));
  std::size_t const limit = ep.kind == endpoint_kind::batch ? limits::batch_bytes : limits::event_bytes;
  if (meta.body_too_large || body.size() > limit) {
    return reply_error(st,
                       invalid_request(ep.kind == endpoint_kind::batch ? "request body exceeds the 500 KB batch limit"
                                                                       : "message exceeds the 32 KB limit"));
  }

  out.reserve_for(body.size());
  // One arena per request: the whole parsed body and every string normalization adds are
  // released at once when this function returns. A beacon's fits its first block (from 1 KB over
  // twice the body, it grew once: one of a beacon's 12 allocations). A block on the stack instead
  // made a beacon no faster than this and small events slower (session 24).
  json::arena arena(body.size() * 2 + 8192);
  bj::parse_options options;
  options.max_depth = limits::json_depth;
  std::string repaired;
  if (replace_lone_surrogate_escapes(body, repaired)) body = repaired;
  boost::system::error_code ec;
  // Sizes counted where a message may be measured: a batch, and a single message long enough.
  bool const counted = ep.kind == endpoint_kind::batch || json::longest_rewrite_size(body.size()) > limits::event_bytes;
  bj::value root = json::parse(body, ec, &arena, options, nullptr, counted ? &sizes : nullptr);
  if (ec) { return reply_error(st, invalid_request("malformed JSON: " + ec.message())); }
  auto* message = root.if_object();
  if (!message) { return reply_error(st, invalid_request("body must be a JSON object")); }

  if (auto user = basic_auth_username(meta.authorization)) st.basic_key = std::move(*user);
  st.clock.received_at_ms = meta.received_at_ms;
  st.clock.received_at = iso8601_text(meta.received_at_ms);
  st.clock.client_ip = meta.client_ip;
  st.clock.seed = meta.seed;

  if (ep.kind == endpoint_kind::batch)
    ingest_batch(st, *message);
  else
    ingest_single(st, *message, ep);
}

}  // namespace ajs
