#pragma once
// POST /v1/{t,i,p,g,a,s}, /v1/{track,…}, /v1/b, /v1/batch, /v1/import: Segment's tracking API.
#include <string_view>

#include "config/config.hpp"
#include "http/endpoint.hpp"
#include "http/request_meta.hpp"
#include "plan/plan_writer.hpp"

namespace ajs {

void ingest(request_meta const& meta, std::string_view body, config const& cfg, endpoint const& ep, plan_writer& out);

}  // namespace ajs
