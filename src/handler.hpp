#pragma once
// The core, as one function: request meta + body bytes + config → plan.
// No I/O, no clock, no globals, no throw. Reading order: handler.cpp (dispatch) →
// ingest/ingest.cpp (Segment wire) → route/routing.cpp → destinations/*/ → plan/.
#include <string_view>

#include "config/config.hpp"
#include "http/request_meta.hpp"
#include "plan/plan.hpp"

namespace ajs {

void handle_request(request_meta const& meta, std::string_view body, config const& cfg, plan& out);

}  // namespace ajs
