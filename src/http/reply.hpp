#pragma once
// Replies in Segment's shapes: {"success":true} and {"success":false,"message":…,"code":…}.
#include <string_view>

#include "core/problem.hpp"
#include "plan/plan_writer.hpp"

namespace ajs {

void reply_success(plan_writer& out);
void reply_problem(plan_writer& out, problem const& p);
void reply_json(plan_writer& out, std::uint32_t status, std::string_view body);

// CORS for an allowed origin: echo it, with credentials (analytics.js may send cookies).
void allow_origin(plan_writer& out, std::string_view origin);

}  // namespace ajs
