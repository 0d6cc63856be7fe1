#pragma once
// Segment's tracking-API limits (shared/reference/segment-spec-and-peers.md §2).
#include <cstddef>

namespace ajs::limits {

inline constexpr std::size_t event_bytes = 32 * 1024;     // one message
inline constexpr std::size_t batch_bytes = 500 * 1024;    // one /b, /batch or /import request
inline constexpr std::size_t batch_items = 2500;          // more are dropped, as Segment does
inline constexpr std::size_t json_depth = 64;             // nesting of objects and arrays in a body

}  // namespace ajs::limits
