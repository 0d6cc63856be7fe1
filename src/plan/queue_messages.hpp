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
#include <string>
#include <string_view>

#include "plan/plan.hpp"

namespace ajs {

// Cloudflare Queues' 128 KB per message, less headroom for its own metadata (the host's
// MESSAGE_MAX_BYTES, checked equal by tests/core/abi_constants.test.mjs).
inline constexpr std::uint32_t queue_message_max_bytes = 120000;

// One header of a run (H above), as text.
struct header_text {
  std::string_view name, value, secret;
  secret_format format = secret_format::none;
};

// Appends H for `count` headers, the i-th given by `header(i)` (a header_text). Written for each
// destination once, when its call_template is made (plan.hpp plan::header_runs), and here for a
// run no template wrote.
template <class Header>
void append_header_run(std::string& out, std::size_t count, Header&& header);

// Appends the messages for p.requests to p.bytes and lists them in p.messages. `seed`: the
// request's randomness (request_meta::seed), for the hash of its chains' order keys.
void write_queue_messages(plan& p, std::uint64_t seed = 0);

namespace detail {
void append_header(std::string& out, header_text const& h);
}

template <class Header>
void append_header_run(std::string& out, std::size_t count, Header&& header) {
  out += '[';
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ',';
    detail::append_header(out, header(i));
  }
  out += ']';
}

}  // namespace ajs
