#pragma once
// The bump allocator a request's (and a Gist message's) JSON lives in: every allocation is a
// pointer bump in the current block, nothing is freed until the arena goes, blocks double. It is
// boost::json::monotonic_resource without what the core does not use (upstream resources,
// release()), and with the fast path in the header: in wasm, monotonic_resource's call to
// libc++'s out-of-line std::align was 2 % of a batch (scripts/profile.sh wasm batch).
#include <boost/json/memory_resource.hpp>
#include <cstddef>
#include <cstdint>

namespace ajs::json {

class arena final : public boost::json::memory_resource {
 public:
  // Starts with a block of `first_block` bytes.
  explicit arena(std::size_t first_block) noexcept : next_size_(first_block < 256 ? 256 : first_block) { grow(0, 1); }
  // Starts in a buffer of the caller's (a stack buffer outlives nothing), then allocates.
  arena(unsigned char* buffer, std::size_t size) noexcept
      : cur_(reinterpret_cast<std::uintptr_t>(buffer)), end_(cur_ + size), next_size_(size < 128 ? 256 : size * 2) {}
  ~arena();
  arena(arena const&) = delete;
  arena& operator=(arena const&) = delete;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    std::uintptr_t const p = (cur_ + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
    if (p <= end_ && n <= end_ - p) {
      cur_ = p + n;
      return reinterpret_cast<void*>(p);
    }
    return grow(n, align);
  }
  void do_deallocate(void*, std::size_t, std::size_t) override {}
  bool do_is_equal(memory_resource const& other) const noexcept override { return this == &other; }
  void* grow(std::size_t n, std::size_t align);

  struct block {
    block* next;
  };
  block* blocks_ = nullptr;  // the heap blocks, newest first
  std::uintptr_t cur_ = 0, end_ = 0;
  std::size_t next_size_;
};

}  // namespace ajs::json

// Values in an arena need no destruction: Boost skips it (as for monotonic_resource).
template <>
struct boost::json::is_deallocate_trivial<ajs::json::arena> : std::true_type {};
