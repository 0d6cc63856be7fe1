#pragma once
#include <cstdint>

namespace ajs {

// A reference into plan::bytes: every string and body of a plan lives in one buffer.
struct byte_span {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
};

}  // namespace ajs
