// memcpy, memmove and memset as the wasm bulk-memory instructions (memory.copy, memory.fill).
// Debian's wasi-libc is built without bulk memory, so its versions are byte and word loops in wasm;
// every string append and buffer copy of the core goes through them. Linked before libc, these
// replace them. Both hosts' V8s (Node 20, workerd) have bulk memory.
// Copies of up to 32 bytes (most of the core's: keys, ids, timestamps, JSON punctuation) are
// loads and stores instead: V8 runs memory.copy as a call out of the wasm code into its C++
// (memory_copy_wrapper). The core is compiled with -fno-builtin-memcpy -fno-builtin-memmove
// (wasm/wasm.cmake), so that its calls, Boost's and libc++'s come here (inlined by LTO) instead of
// becoming memory.copy where they are.
// memcmp too: wasi-libc's (musl's) compares byte by byte, and every key lookup, interned string
// and messageId comparison goes through it (8 % of planning small events, session 11). A word at a
// time (wasm/word_compare.hpp), the last word overlapping, no byte tail past 4 bytes (session 21:
// single beacon 1.2-1.8 % faster, the batch 1.5-2.4 %, small events up to 2.5 %, both orders).
// memchr 16 bytes at a time on WebAssembly SIMD (the module is built with it, wasm/wasm.cmake):
// musl's goes a word at a time, and the core looks for the backslashes of every request body with
// it (ingest/lone_surrogates.cpp; 3 % of the ~500 KB batch, session 17).
#include <wasm_simd128.h>

#include "word_compare.hpp"

#include <cstddef>
#include <cstdint>

namespace {

// The n bytes at s to d (sizeof(Word) <= n <= 2 * sizeof(Word)): the first and the last Word,
// both loaded before either is stored, so that overlapping ranges (memmove) come out right.
template <class Word>
void copy_ends(unsigned char* d, unsigned char const* s, std::size_t n) {
  Word first, last;
  __builtin_memcpy(&first, s, sizeof first);
  __builtin_memcpy(&last, s + n - sizeof last, sizeof last);
  __builtin_memcpy(d, &first, sizeof first);
  __builtin_memcpy(d + n - sizeof last, &last, sizeof last);
}

// Up to 32 bytes as loads and stores; false for more.
bool copy_short(unsigned char* d, unsigned char const* s, std::size_t n) {
  if (n > 32) return false;
  if (n >= 16) {
    copy_ends<v128_t>(d, s, n);
  } else if (n >= 8) {
    copy_ends<std::uint64_t>(d, s, n);
  } else if (n >= 4) {
    copy_ends<std::uint32_t>(d, s, n);
  } else if (n != 0) {
    unsigned char const a = s[0], b = s[n / 2], c = s[n - 1];
    d[0] = a;
    d[n / 2] = b;
    d[n - 1] = c;
  }
  return true;
}

}  // namespace

extern "C" {

void* memcpy(void* __restrict dest, void const* __restrict src, std::size_t n) {
  if (!copy_short(static_cast<unsigned char*>(dest), static_cast<unsigned char const*>(src), n))
    __builtin_memcpy(dest, src, n);
  return dest;
}

void* memmove(void* dest, void const* src, std::size_t n) {
  if (!copy_short(static_cast<unsigned char*>(dest), static_cast<unsigned char const*>(src), n))
    __builtin_memmove(dest, src, n);
  return dest;
}

void* memset(void* dest, int c, std::size_t n) {
  __builtin_memset(dest, c, n);
  return dest;
}

int memcmp(void const* a, void const* b, std::size_t n) { return ajs::wasm::compare_bytes(a, b, n); }

void* memchr(void const* s, int c, std::size_t n) {
  auto const* p = static_cast<unsigned char const*>(s);
  auto const byte = static_cast<unsigned char>(c);
  v128_t const wanted = wasm_i8x16_splat(static_cast<std::int8_t>(byte));
  for (; n >= 16; p += 16, n -= 16)  // only whole 16-byte loads inside [s, s + n)
    if (auto const found = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p), wanted)))
      return const_cast<unsigned char*>(p + __builtin_ctz(found));
  for (; n != 0; --n, ++p)
    if (*p == byte) return const_cast<unsigned char*>(p);
  return nullptr;
}
}
