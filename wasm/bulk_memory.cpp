// memcpy, memmove and memset as the wasm bulk-memory instructions (memory.copy, memory.fill).
// Debian's wasi-libc is built without bulk memory, so its versions are byte and word loops in wasm;
// every string append and buffer copy of the core goes through them. Linked before libc, these
// replace them. Both hosts' V8s (Node 20, workerd) have bulk memory.
#include <cstddef>

extern "C" {

void* memcpy(void* __restrict dest, void const* __restrict src, std::size_t n) {
  __builtin_memcpy(dest, src, n);
  return dest;
}

void* memmove(void* dest, void const* src, std::size_t n) {
  __builtin_memmove(dest, src, n);
  return dest;
}

void* memset(void* dest, int c, std::size_t n) {
  __builtin_memset(dest, c, n);
  return dest;
}
}
