#include "ingest/message_id.hpp"

#include <cstdio>

namespace ajs {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

std::string generated_message_id(std::int64_t received_at_ms, std::uint64_t seed, std::uint32_t index) {
  std::uint64_t const hi = splitmix64(seed ^ (std::uint64_t{index} << 32));
  std::uint64_t const lo = splitmix64(hi ^ index);
  unsigned long long const time_low = hi >> 32, time_mid = (hi >> 16) & 0xFFFF;
  unsigned long long const version = 0x4000 | (hi & 0x0FFF);
  unsigned long long const variant = 0x8000 | ((lo >> 48) & 0x3FFF);
  unsigned long long const node = lo & 0xFFFFFFFFFFFFull;
  char buf[80];
  int const n = std::snprintf(buf, sizeof buf, "ajs-edge-%lld-%08llx-%04llx-%04llx-%04llx-%012llx",
                              static_cast<long long>(received_at_ms), time_low, time_mid, version, variant, node);
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

}  // namespace ajs
