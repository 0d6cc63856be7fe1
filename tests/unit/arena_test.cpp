// json::arena (src/json/arena.hpp): the bump allocator the request's and Gist's JSON live in.
#include <doctest/doctest.h>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "json/arena.hpp"

namespace {

struct piece {
  unsigned char* p;
  std::size_t n;
  unsigned char fill;
};

// Allocates pieces of every alignment and many sizes, fills each, then checks every one still
// holds its bytes (no two overlap) and sits on its alignment.
void allocate_and_check(boost::json::memory_resource& r, std::size_t count, std::size_t max_size) {
  std::mt19937 rng(7);
  std::vector<piece> pieces;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t const align = std::size_t{1} << (rng() % 5);  // 1..16
    std::size_t const n = rng() % max_size;
    auto* p = static_cast<unsigned char*>(r.allocate(n, align));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
    auto const fill = static_cast<unsigned char>(i);
    std::memset(p, fill, n);
    pieces.push_back({p, n, fill});
  }
  for (auto const& x : pieces)
    for (std::size_t k = 0; k < x.n; ++k) REQUIRE(x.p[k] == x.fill);
}

}  // namespace

TEST_CASE("arena: aligned pieces that never overlap, across blocks and past the block size") {
  ajs::json::arena a(1024);
  allocate_and_check(a, 3000, 300);
  void* big = a.allocate(1 << 20, 8);  // larger than any block so far
  std::memset(big, 1, 1 << 20);
  allocate_and_check(a, 100, 5000);
  CHECK(a.allocate(0, 1) != nullptr);
}

TEST_CASE("arena: starts in the caller's buffer, then goes to the heap") {
  alignas(16) unsigned char buffer[256];
  ajs::json::arena a(buffer, sizeof buffer);
  auto* first = static_cast<unsigned char*>(a.allocate(100, 8));
  CHECK(first >= buffer);
  CHECK(first + 100 <= buffer + sizeof buffer);
  auto* second = static_cast<unsigned char*>(a.allocate(200, 8));  // does not fit what is left
  CHECK((second + 200 <= buffer || second >= buffer + sizeof buffer));
  allocate_and_check(a, 500, 100);
}

TEST_CASE("arena: Boost skips destroying what lives in it, as with monotonic_resource") {
  ajs::json::arena a(256);
  boost::json::storage_ptr sp(&a);
  CHECK(sp.is_deallocate_trivial());
  boost::json::value v({{"a", {1, 2, "three"}}, {"b", "a string longer than the small-string buffer"}}, sp);
  CHECK(v.as_object().at("a").as_array().size() == 3);
}
