#include "json/arena.hpp"

#include <cstdlib>
#include <new>

namespace ajs::json {

arena::~arena() {
  while (blocks_) {
    block* next = blocks_->next;
    std::free(blocks_);
    blocks_ = next;
  }
}

void* arena::grow(std::size_t n, std::size_t align) {
  // A block holds its header, the alignment slack and n bytes at least. (Boost asks for no more
  // than its containers' max_size; more than half the address space ends the request.)
  if (n > (static_cast<std::size_t>(-1) >> 2)) std::abort();
  std::size_t const need = n + align + sizeof(block);
  while (next_size_ < need) next_size_ *= 2;
  auto* b = static_cast<block*>(std::malloc(next_size_));
  if (!b) std::abort();  // as operator new without exceptions: out of memory ends the request
  b->next = blocks_;
  blocks_ = b;
  cur_ = reinterpret_cast<std::uintptr_t>(b + 1);
  end_ = reinterpret_cast<std::uintptr_t>(b) + next_size_;
  next_size_ *= 2;
  std::uintptr_t const p = (cur_ + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
  cur_ = p + n;
  return reinterpret_cast<void*>(p);
}

}  // namespace ajs::json
