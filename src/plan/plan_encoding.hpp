#pragma once
// The plan as bytes for the host (layout documented in wasm/README.md). decode_plan exists for
// tests and the fuzzer, which check that every span stays inside the buffer.
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "plan/plan.hpp"

namespace ajs {

inline constexpr std::uint32_t plan_magic = 0x31504A41;  // "AJP1" little-endian
inline constexpr std::uint32_t plan_format_version = 5;

// The plan as the host reads it: the header, then plan::bytes, then the tables.
void encode_plan(plan const& p, std::string& out);
// The same bytes, made from the plan's own buffer (no copy of its bodies); `p` is spent.
void take_encoded_plan(plan& p, std::string& out);
result<plan> decode_plan(std::string_view encoded);

}  // namespace ajs
