// The SSE2 intrinsics Boost.JSON uses (boost/json/detail/sse2.hpp: the string scans count_valid
// and count_unescaped, and count_digits for numbers, 16 bytes at a time), each as the WebAssembly
// SIMD instruction that does the same to 16 bytes. The wasm builds put this folder first on the include path and
// define BOOST_JSON_USE_SSE2; without it Boost scans strings byte by byte in wasm. Only what
// Boost 1.81 uses is here: a new use fails to compile rather than silently falling back.
#pragma once

#include <wasm_simd128.h>

typedef v128_t __m128i;

static inline __m128i _mm_set1_epi8(char c) { return wasm_i8x16_splat(c); }
static inline __m128i _mm_loadu_si128(__m128i const* p) { return wasm_v128_load(p); }
static inline __m128i _mm_cmpeq_epi8(__m128i a, __m128i b) { return wasm_i8x16_eq(a, b); }
static inline __m128i _mm_cmplt_epi8(__m128i a, __m128i b) { return wasm_i8x16_lt(a, b); }  // signed, as SSE2's
static inline __m128i _mm_min_epu8(__m128i a, __m128i b) { return wasm_u8x16_min(a, b); }
static inline __m128i _mm_add_epi8(__m128i a, __m128i b) { return wasm_i8x16_add(a, b); }
static inline __m128i _mm_or_si128(__m128i a, __m128i b) { return wasm_v128_or(a, b); }
// The top bit of each byte, byte 0 in bit 0: SSE2's pmovmskb and wasm's i8x16.bitmask alike.
static inline int _mm_movemask_epi8(__m128i a) { return wasm_i8x16_bitmask(a); }
