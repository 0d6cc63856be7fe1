#pragma once
// The plan writer's per-request lookup tables (interned strings, call ordinals): open addressing
// over one array, keyed by a 64-bit hash, the keys themselves compared by the caller (they live
// elsewhere: in the plan's bytes, in the request's message). std::unordered_map cost a node
// allocation per key and about 20 % of planning 2,500 small events (perf, session 10).
//
// The keys are the client's (messageIds, URLs built from its ids), so the hash is seeded with the
// request's randomness (request_meta::seed): no input can be crafted to collide.
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace ajs {

// A seeded hash of bytes, 8 at a time (wasm32 has 64-bit multiplication).
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
  constexpr std::uint64_t k1 = 0xff51afd7ed558ccdull, k2 = 0xc4ceb9fe1a85ec53ull;
  std::uint64_t h = (seed ^ 0x9e3779b97f4a7c15ull) + s.size() * k2;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * k1;
    h ^= h >> 32;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * k2;
  h ^= h >> 29;
  h *= k1;
  return h ^ (h >> 32);
}

// The same for one 64-bit word (keys made of numbers: offsets, lengths).
inline std::uint64_t hash_word(std::uint64_t w, std::uint64_t seed) {
  constexpr std::uint64_t k1 = 0xff51afd7ed558ccdull, k2 = 0xc4ceb9fe1a85ec53ull;
  std::uint64_t h = ((seed ^ 0x9e3779b97f4a7c15ull) ^ w) * k1;
  h ^= h >> 29;
  h *= k2;
  return h ^ (h >> 32);
}

// `Few`: how many keys are kept in a list, looked through, before a table is made.
template <class Value, std::size_t Few = 8>
class flat_index {
 public:
  // The value whose key hashes to `hash` and satisfies `same(value)`; otherwise a new slot for the
  // caller to fill, and `added` = true. The value stays where it is until the next call.
  template <class Same>
  std::pair<Value*, bool> find_or_add(std::uint64_t hash, Same same) {
    hash |= std::uint64_t{1} << 63;  // 0 marks an empty slot; the index comes from the low bits
    if (slots_.empty()) {
      // The first few keys in a list of their own, looked through: a beacon's tables hold a few
      // keys each, and a table of its own for each was an allocation (and its zeroing) per table
      // and request (session 22).
      for (std::size_t i = 0; i < few_used_; ++i)
        if (few_[i].hash == hash && same(few_[i].value)) return {&few_[i].value, false};
      if (few_used_ < few_.size()) {
        few_[few_used_] = {hash, Value{}};
        return {&few_[few_used_++].value, true};
      }
      grow();  // the few move into the table
    }
    if ((used_ + 1) * 2 > slots_.size()) grow();
    std::size_t const mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      auto& slot = slots_[i];
      if (slot.hash == 0) {
        slot.hash = hash;
        slot.value = Value{};
        ++used_;
        return {&slot.value, true};
      }
      if (slot.hash == hash && same(slot.value)) return {&slot.value, false};
    }
  }

  void clear() {
    for (auto& slot : slots_) slot.hash = 0;
    used_ = 0;
    few_used_ = 0;
  }
  // Empty, its table freed: clear() goes over every slot, and the few keys of a beacon need none.
  void release() {
    std::vector<slot>().swap(slots_);
    clear();
  }

 private:
  struct slot {
    std::uint64_t hash = 0;
    Value value{};
  };

  void grow() {
    std::vector<slot> old(slots_.empty() ? 32 : slots_.size() * 2);
    old.swap(slots_);
    std::size_t const mask = slots_.size() - 1;
    auto const put = [&](slot const& s) {
      std::size_t i = s.hash & mask;
      while (slots_[i].hash != 0) i = (i + 1) & mask;
      slots_[i] = s;
    };
    if (old.empty()) {  // from the few (in order: the same keys find the same slots as before)
      for (std::size_t i = 0; i < few_used_; ++i) put(few_[i]);
      used_ = few_used_;
      few_used_ = 0;
      return;
    }
    for (auto const& s : old)
      if (s.hash != 0) put(s);
  }

  std::array<slot, Few> few_{};
  std::size_t few_used_ = 0;
  std::vector<slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace ajs
