#pragma once
// Replies in Segment's shapes: {"success":true} and {"success":false,"message":…,"code":…}.
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "plan/plan_writer.hpp"

namespace ajs {

void reply_success(plan_writer& out);
void reply_problem(plan_writer& out, problem const& p);

// Every reply that refuses something (an error, or a settings document served despite a mistake)
// carries this header naming the problem's code: the host logs such a reply's problem as one
// structured line (host-shims/worker/worker_app.mjs), and sends the header on.
inline constexpr std::string_view problem_header = "x-ajs-edge-problem";
void mark_problem(plan_writer& out, std::string_view code);

// A writeKey as a refusal may show it: its first 6 printable ASCII characters, quoted, and "…".
std::string write_key_hint(std::string_view key);
// Untrusted text (an origin, a path) quoted for a message: at most `max` bytes, controls and
// quotes as '?'.
std::string quoted_clip(std::string_view text, std::size_t max);
void reply_json(plan_writer& out, std::uint32_t status, std::string_view body);

// CORS for an allowed origin: echo it, with credentials (analytics.js may send cookies).
void allow_origin(plan_writer& out, std::string_view origin);

}  // namespace ajs
