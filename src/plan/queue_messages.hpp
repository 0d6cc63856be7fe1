#pragma once
// The plan's calls as the durable path queues them: the finished bodies of the queue messages,
// so that the host hands them to `sendBatch` as bytes and builds no object per call.
// Wire form (host-shims/delivery/chain.mjs reads it, and builds the same for dead letters):
//   chain (v1):  {"v":1,"destination":D,"orderKey":K,"calls":[call, …]}
//   call:        {"method","url","headers":[{"name","value"} | {"name","secret","format"}],
//                 "body","messageId","key"[,"flags"]}
//   bundle (v2): {"v":2,"chains":[chain, …]}   the chains of one request, in order
// One chain per destination and order key, in order of first appearance; consecutive chains share
// a bundle while it stays within queue_message_max_bytes; a chain alone goes as it is; a chain
// over the limit goes alone and flagged, for the host to store (DELIVERY_PAYLOADS).
#include <cstdint>

#include "plan/plan.hpp"

namespace ajs {

// Cloudflare Queues' 128 KB per message, less headroom for its own metadata (the host's
// MESSAGE_MAX_BYTES, checked equal by tests/core/abi_constants.test.mjs).
inline constexpr std::uint32_t queue_message_max_bytes = 120000;

// Appends the messages for p.requests to p.bytes and lists them in p.messages.
void write_queue_messages(plan& p);

}  // namespace ajs
