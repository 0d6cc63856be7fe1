#pragma once
// memcmp a word at a time, for wasm/bulk_memory.cpp (the wasi module's memcmp), in a header of its
// own so that tests/unit/word_compare_test.cpp checks it natively against the C library's:
// every length and every place of a difference, both orders.
#include <cstddef>
#include <cstdint>

namespace ajs::wasm {

// Which of two words' bytes comes first in memory order where they differ: the lowest address is
// the lowest byte (wasm and x86-64 are little-endian).
template <class Word>
int order_of(Word x, Word y) {
  unsigned const shift = static_cast<unsigned>(__builtin_ctzll(static_cast<std::uint64_t>(x ^ y))) & ~7u;
  return static_cast<int>((x >> shift) & 0xFF) - static_cast<int>((y >> shift) & 0xFF);
}

// The n bytes at p and q (sizeof(Word) <= n) a Word at a time, the last Word overlapping the one
// before it: the bytes they share are equal by then, so the first difference is still found first.
template <class Word>
int compare_words(unsigned char const* p, unsigned char const* q, std::size_t n) {
  Word x, y;
  for (std::size_t i = 0; i + sizeof(Word) <= n; i += sizeof(Word)) {
    __builtin_memcpy(&x, p + i, sizeof x);
    __builtin_memcpy(&y, q + i, sizeof y);
    if (x != y) return order_of(x, y);
  }
  if (n % sizeof(Word) == 0) return 0;
  __builtin_memcpy(&x, p + n - sizeof x, sizeof x);
  __builtin_memcpy(&y, q + n - sizeof y, sizeof y);
  return x == y ? 0 : order_of(x, y);
}

// memcmp: words from any address (wasm loads them unaligned), bytes only below 4.
inline int compare_bytes(void const* a, void const* b, std::size_t n) {
  auto const* p = static_cast<unsigned char const*>(a);
  auto const* q = static_cast<unsigned char const*>(b);
  if (n >= 8) return compare_words<std::uint64_t>(p, q, n);
  if (n >= 4) return compare_words<std::uint32_t>(p, q, n);
  for (; n != 0; --n, ++p, ++q)
    if (*p != *q) return *p - *q;
  return 0;
}

}  // namespace ajs::wasm
