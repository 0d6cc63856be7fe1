#pragma once
// The plan's calls as the durable path queues them: the finished bodies of the queue messages,
// so that the host hands them to `sendBatch` as bytes and builds no object per call.
// Wire form (host-shims/delivery/chain.mjs reads it): a JSON envelope, a newline, then the bodies
// of its calls, raw, in the envelope's order (each `bodyLength` bytes). A body is JSON text; carried
// inside a JSON string it would be escaped here and unescaped by the consumer, quote by quote.
//   message:     envelope "\n" body body …
//   chain (v1):  {"v":1,"destination":D,"orderKey":K,"method":M,"headers":H,"url":U,"scope":S,"calls":[call, …]}
//   call:        {["method",]["headers",]["url",]["scope",]"bodyLength","messageId"[,"ordinal"][,"flags"]}
//   H:           [{"name","value"} | {"name","secret","format"}, …]
// The chain's method, headers, url and dedup scope are its first call's, and every call's that
// does not name its own (a destination's calls share them: written once, not once a call). A
// call's dedup key is scope|messageId|ordinal (plan.hpp planned_request::scope); a call without a
// messageId has no ordinal and no key.
//   bundle (v2): {"v":2,"chains":[chain, …]}   the chains of one request, in order
// One chain per destination and order key, in order of first appearance; consecutive chains share
// a bundle while the message stays within queue_message_max_bytes; a chain alone goes as it is; a
// chain over the limit goes alone and flagged, for the host to store (DELIVERY_PAYLOADS).
#include <cstdint>

#include "plan/plan.hpp"

namespace ajs {

// Cloudflare Queues' 128 KB per message, less headroom for its own metadata (the host's
// MESSAGE_MAX_BYTES, checked equal by tests/core/abi_constants.test.mjs).
inline constexpr std::uint32_t queue_message_max_bytes = 120000;

// Appends the messages for p.requests to p.bytes and lists them in p.messages. `seed`: the
// request's randomness (request_meta::seed), for the hash of its chains' order keys.
void write_queue_messages(plan& p, std::uint64_t seed = 0);

}  // namespace ajs
