#pragma once
// The plan: what the core decided for one request. The reply to the client, the outgoing
// requests the host must send (bodies already serialized), and notes for the operator (what was
// dropped and why). Hosts receive it as bytes (plan/plan_encoding.hpp) and never re-parse bodies.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/byte_span.hpp"
#include "plan/kept_room.hpp"
#include "plan/scratch_rows.hpp"

namespace ajs {

// How the host turns a named secret into a header value. Secrets never enter the core.
enum class secret_format : std::uint32_t {
  none = 0,            // literal value, no secret
  raw = 1,             // value = secret
  bearer = 2,          // value = "Bearer " + secret
  basic_username = 3,  // value = "Basic " + base64(secret + ":")
};

struct planned_header {
  byte_span name;
  byte_span value;   // literal value (empty when a secret fills it)
  byte_span secret;  // binding name, e.g. "GIST_API_KEY"; empty for a literal header
  secret_format format = secret_format::none;
};

// How the host should read a destination's answer, beyond the default (2xx ok; 408, 429, 5xx
// retryable; other 4xx permanent).
enum call_flags : std::uint32_t {
  // 404 means "not yet": the call refers to something an earlier call creates (a Gist event for
  // the contact an identify creates), which may still be on its way in another request.
  retry_not_found = 1u << 0,
};

struct planned_request {
  byte_span destination;  // config key of the destination: "gist", "gainsight", …
  byte_span method;
  byte_span url;
  std::uint32_t first_header = 0;
  std::uint32_t header_count = 0;
  byte_span body;
  byte_span message_id;     // the Segment messageId this call carries (dedup key with destination)
  byte_span order_key;      // calls with one order key must be delivered in plan order
  std::uint32_t flags = 0;  // call_flags
  // Dedup: the call's key is "<scope>|<messageId>|<ordinal>". The scope names the destination,
  // the source (a hash of its writeKey) and the destination account, so that no source can
  // suppress another's events; the ordinal counts the calls this request makes for one messageId
  // to one scope (a Gist identify may be a contact upsert plus tag calls).
  byte_span scope;
  std::uint32_t ordinal = 0;
};

// A check the host makes with a Workers Rate Limiting binding before anything is sent: over the
// limit, the request is answered 429 and nothing of it is delivered.
struct rate_limit_check {
  byte_span binding;  // e.g. "RATE_LIMIT_WRITE_KEY"
  byte_span key;      // what is counted, e.g. "wk:<source hash>" or "ip:<source hash>:<client ip>"
};

enum class note_kind : std::uint32_t { dropped = 0, skipped = 1, info = 2 };

// Something an operator should see: an event not sent to a destination, and why.
struct plan_note {
  note_kind kind = note_kind::dropped;
  byte_span destination;  // empty when the note is about ingest itself
  byte_span message_id;
  byte_span reason;  // stable code, e.g. "gist.email_required"
};

// A queue message the core wrote (plan/queue_messages.hpp): its finished body.
enum queue_message_flags : std::uint32_t {
  // One chain over the message limit: the host stores it and queues a reference instead.
  oversized_chain = 1u << 0,
};

struct queue_message {
  byte_span body;
  std::uint32_t chains = 0;  // chains it carries (1: a v1 chain; more: a v2 bundle)
  std::uint32_t flags = 0;   // queue_message_flags
};

// A run of request_headers a call template wrote, with its JSON as queue messages carry it
// (call_template::headers_json): the queue writer takes it as it is instead of rendering it for
// each request. Not encoded; `json` is a view into the configuration, valid while its request is
// planned.
struct template_header_run {
  std::uint32_t first_header = 0, header_count = 0;
  std::string_view json;
  std::uint64_t hash = 0;  // hash_bytes(json, 0)
};

struct plan_counters {
  std::uint32_t events_received = 0;
  std::uint32_t events_accepted = 0;
  std::uint32_t events_rejected = 0;
};

// The encoded plan's header (plan_encoding.hpp): its bytes come first in plan::bytes, so that the
// plan's bytes become the host's output without a copy.
inline constexpr std::size_t plan_header_bytes = 72;

// What plan::reset keeps of a table's room for the next request: a beacon's tables are a few
// hundred bytes; a big batch's (up to MBs) are freed.
inline constexpr std::size_t plan_kept_table_bytes = 64 * 1024;

struct plan {
  std::uint32_t status = 200;
  std::vector<planned_header> reply_headers;  // secret/format unused
  byte_span reply_body;
  std::vector<planned_request> requests;
  std::vector<planned_header> request_headers;
  std::vector<plan_note> notes;
  std::vector<rate_limit_check> rate_limits;
  std::vector<queue_message> messages;  // only when the host asks for them (request_meta::queue)
  // The configured sources this request names (source_config::id, each once, first seen first),
  // refused or not: what the host files the request under (the operator console's live view).
  // Empty when it names none (no or an unknown writeKey, the settings document, a preflight).
  std::vector<byte_span> sources;
  std::vector<template_header_run> header_runs;  // for the queue writer only
  // The writers' working rows, not part of the plan: kept here, with the room of a plan reused
  // request after request, so that the writers do not allocate them anew each time. Each writer
  // leaves its rows empty, trimmed to plan_kept_table_bytes, when it is done.
  queue_rows queue_scratch;
  ordinal_rows ordinal_scratch;
  plan_counters counters;
  // Every span above points here (offsets from its start, past the header's room).
  std::string bytes = std::string(plan_header_bytes, '\0');

  std::string_view view(byte_span s) const { return std::string_view(bytes).substr(s.offset, s.length); }

  // Ready for another request, its tables' room kept (a caller that plans request after request
  // with one plan: wasm/exports.cpp), except a table's room over `keep_bytes`, freed so that a big
  // batch leaves nothing behind. `bytes` is left to the caller.
  void reset(std::size_t keep_bytes) {
    status = 200;
    reply_body = {};
    counters = {};
    for_each_table([keep_bytes](auto& table) { clear_keeping_room(table, keep_bytes); });
  }

 private:
  template <class F>
  void for_each_table(F f) {
    f(reply_headers), f(requests), f(request_headers), f(notes), f(rate_limits), f(messages), f(sources),
        f(header_runs);
  }
};

}  // namespace ajs
