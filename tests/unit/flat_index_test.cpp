// The plan's lookup tables (src/plan/flat_index.hpp): keys kept across the move from the first
// few (looked through) to the table (hashed), colliding hashes told apart by the caller's test.
#include <doctest/doctest.h>

#include <cstdint>
#include <utility>

#include "plan/flat_index.hpp"

namespace {

struct entry {
  int key = -1;
  int value = 0;
};

using hash_fn = std::uint64_t (*)(int);

// Finds key k, adding it with value 100 + k when new; `hash` collides often on purpose.
std::pair<entry*, bool> find_or_add(ajs::flat_index<entry>& index, int k, hash_fn hash) {
  auto [e, added] = index.find_or_add(hash(k), [&](entry const& x) { return x.key == k; });
  if (added) *e = {k, 100 + k};
  return {e, added};
}

}  // namespace

TEST_CASE("flat index: every key found again with its value, before and after the table takes over") {
  hash_fn const hashes[] = {
      [](int k) { return static_cast<std::uint64_t>(k) * std::uint64_t{0x9e3779b97f4a7c15}; },  // spread
      [](int k) { return static_cast<std::uint64_t>(k % 3); },                                  // three for all keys
      [](int) { return std::uint64_t{0}; },                                                     // one (0 is a hash too)
  };
  for (auto hash : hashes) {
    ajs::flat_index<entry> index;
    for (int n = 0; n < 200; ++n) {
      auto [e, added] = find_or_add(index, n, hash);
      CHECK(added);
      CHECK(e->value == 100 + n);
      // The keys so far, once more: found, not added.
      for (int k = 0; k <= n; k += (n < 20 ? 1 : 13)) {
        auto [again, added_again] = find_or_add(index, k, hash);
        CHECK_FALSE(added_again);
        CHECK(again->key == k);
        CHECK(again->value == 100 + k);
      }
    }
    index.clear();
    for (int k : {0, 5, 199}) CHECK(find_or_add(index, k, hash).second);  // forgotten, then added again
    CHECK_FALSE(find_or_add(index, 5, hash).second);
  }
}
