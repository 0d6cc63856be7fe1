#pragma once
// Every limit on what one request may be and what it may make the Worker do, in one place
// (README "Limits" and "Security"). The first four are Segment's tracking-API limits
// (shared/reference/segment-spec-and-peers.md §2); the rest bound the work a hostile request can
// cause, since a writeKey is public.
#include <cstddef>

namespace ajs::limits {

inline constexpr std::size_t event_bytes = 32 * 1024;   // one message as written out, the envelope's context merged
inline constexpr std::size_t batch_bytes = 500 * 1024;  // one /b, /batch or /import request
inline constexpr std::size_t batch_items = 2500;        // more are dropped, as Segment does
inline constexpr std::size_t json_depth = 64;           // nesting of objects and arrays in a body

// What normalization may add to one message (type, messageId, timestamps, receivedAt, sentAt,
// context.ip): not counted against event_bytes (Segment measures what the client sent), but
// counted in the outgoing budget below.
inline constexpr std::size_t normalization_bytes = 512;

// The outgoing budget of one request. Over it, the request is refused with 400 and nothing is
// sent: an honest client never comes near it (3 destinations carry each message about once).
//   outgoing body bytes ≤ budget_bytes_factor × (request bytes + normalization_bytes × messages) + budget_bytes_slack
//   outgoing calls      ≤ min(budget_calls_per_message × messages + budget_calls_slack, budget_calls_max)
// Gist tag calls (tags: true) and tag names (tags: false) taken from one identify; the rest are
// dropped with a note `gist.tags_over_limit`.
inline constexpr std::size_t gist_tags_per_identify = 20;

// Gist flattens nested objects into keys that repeat their ancestors' names: the flattened keys
// of one body may take this many bytes; past it, the message is not sent to Gist (note
// `gist.properties_too_large`), so a 30 KB message cannot ask for megabytes of keys.
inline constexpr std::size_t gist_flattened_key_bytes = 64 * 1024;

// The most calls one message makes today is 24 (capture, Gist upsert + 20 tag calls, Gainsight,
// PX): the call budget is a backstop. The byte budget is what hostile bodies meet first (Gist
// flattens nested traits into keys that repeat their parents' names).
inline constexpr std::size_t budget_bytes_factor = 4;
inline constexpr std::size_t budget_bytes_slack = 64 * 1024;
inline constexpr std::size_t budget_calls_per_message = 32;
inline constexpr std::size_t budget_calls_slack = 64;
// …and never more than this in one request (10 a message at a full batch of 2,500), so that
// planning stays within the wasm memory bound (README "Security").
inline constexpr std::size_t budget_calls_max = 25000;

// A batch envelope's `context` and `integrations` fill every item that lacks them; what they add
// across the whole batch is capped (counted as if every item took the envelope's objects whole),
// so that a small request cannot become a large one before it is even planned.
inline constexpr std::size_t envelope_expansion_bytes = 1024 * 1024;

}  // namespace ajs::limits
