#pragma once
// The JSON writer's parts, for the writes of json/write_json.hpp and for a caller that writes an
// object through a string hook of its own (a template argument, inlined: a function pointer
// called for each string value was a call per string, session 22). Internal to the core.
#include <boost/json/detail/sse2.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "json/js_number.hpp"

namespace ajs::json::writer {

// 0: copied as is; 1: "\uXXXX"; other: the letter after the backslash.
inline constexpr auto escapes = [] {
  struct table {
    char c[256]{};
  } t;
  for (int i = 0; i < 0x20; ++i) t.c[i] = 1;
  struct escape {
    unsigned char byte;
    char letter;
  };
  for (auto e : {escape{'\b', 'b'}, {'\f', 'f'}, {'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}, {'"', '"'}, {'\\', '\\'}})
    t.c[e.byte] = e.letter;
  return t;
}();

// Bytes go through a stack buffer with a bumped pointer; std::string::append per token costs
// a capacity check and a call each, which wasm does not inline away.
class sink {
 public:
  explicit sink(std::string& out) : out_(out) {}
  ~sink() { flush(); }
  void put(char c) {
    if (p_ == end_) flush();
    *p_++ = c;
  }
  void put(char const* s, std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - p_)) {
      flush();
      if (n > sizeof buf_) return void(out_.append(s, n));
    }
    std::memcpy(p_, s, n);
    p_ += n;
  }
  void flush() {
    out_.append(buf_, static_cast<std::size_t>(p_ - buf_));
    p_ = buf_;
  }

 private:
  std::string& out_;
  char buf_[8192];
  char* p_ = buf_;
  char* const end_ = buf_ + sizeof buf_;
};

// How many of the n bytes at p need no escape (none is < 0x20, '"' or '\\'): 16 at a time with
// Boost's own scan (SSE2 natively, WebAssembly SIMD in the wasm builds: wasm/sse2_on_simd128),
// then the last 1–15 the same way where 16 bytes may be read, else byte by byte (all of them
// where Boost has no SIMD scan: its count is then 0). Most text needs none, and this runs over
// every string of every message (the 32 KB check, then each body written).
#if defined(__wasm__) && !defined(BOOST_JSON_USE_SSE2)
#error "the wasm builds define BOOST_JSON_USE_SSE2 (wasm/wasm.cmake): without it Boost's scan counts nothing"
#endif

// (The fuzz build) a read outside a string is what ASan reports, though those bytes go unused.
#if defined(__SANITIZE_ADDRESS__)
#define AJS_ADDRESS_SANITIZER
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AJS_ADDRESS_SANITIZER
#endif
#endif

#if defined(BOOST_JSON_USE_SSE2)
// Whether the 16 bytes before `end` can be read, though they may begin before the string: in
// wasm, any (the linear memory begins at 0); natively, when they lie in one page (4 KiB, or a
// multiple), the one the string's last byte is in.
inline bool may_read_16_before(char const* end) {
  auto const at = reinterpret_cast<std::uintptr_t>(end);
#if defined(__wasm__)
  return at >= 16;
#else
  return ((at - 16) ^ (at - 1)) < 4096;
#endif
}

// A bit for each of the 16 bytes at p that needs an escape: Boost's test in count_unescaped.
inline unsigned escape_lanes(char const* p) {
  __m128i const v = _mm_loadu_si128(reinterpret_cast<__m128i const*>(p));
  __m128i const quote_or_backslash =
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  __m128i const control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(quote_or_backslash, control)));
}
#endif

inline std::size_t clean_prefix(char const* p, std::size_t n) {
  std::size_t i = boost::json::detail::count_unescaped(p, n);
#if defined(BOOST_JSON_USE_SSE2) && !defined(AJS_ADDRESS_SANITIZER)
  // Boost stops at an escape or where fewer than 16 bytes are left. Most strings are shorter
  // than 16 (keys, ids, names): their rest in one 16-byte step too, the 16 bytes that end where
  // the string ends, where they can be read.
  if (n - i >= 16) return i;  // an escape at i
  if (i < n && may_read_16_before(p + n)) {
    unsigned const lanes = 0xFFFFu << (16 - (n - i)) & 0xFFFFu;  // the rest's; those before are not looked at
    unsigned const escaped = escape_lanes(p + n - 16) & lanes;
    return escaped ? n - 16 + static_cast<std::size_t>(__builtin_ctz(escaped)) : n;
  }
#endif
  while (i < n && escapes.c[static_cast<unsigned char>(p[i])] == 0) ++i;
  return i;
}

inline void write_string(sink& out, boost::json::string_view s) {
  out.put('"');
  char const* p = s.data();
  char const* const end = p + s.size();
  for (;;) {
    std::size_t const clean = clean_prefix(p, static_cast<std::size_t>(end - p));
    out.put(p, clean);
    p += clean;
    if (p == end) break;
    auto const byte = static_cast<unsigned char>(*p++);
    if (char const e = escapes.c[byte]; e == 1) {
      static constexpr char hex[] = "0123456789abcdef";
      char const u[6] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
      out.put(u, 6);
    } else {
      char const pair[2] = {'\\', e};
      out.put(pair, 2);
    }
  }
  out.put('"');
}

// The hook of plain writes: every string as it is (inlined away).
struct keep_strings {
  std::size_t operator()(std::string_view, char*) const { return 0; }
};

template <class Hook>
void write_value(sink& out, boost::json::value const& v, Hook const& hook);

template <class Hook>
void write_object(sink& out, boost::json::object const& o, std::string_view omit_key, Hook const& hook) {
  out.put('{');
  bool first = true;
  for (auto const& kv : o) {
    if (!omit_key.empty() && kv.key() == omit_key) continue;
    // What JavaScript holding the object would send: Segment's destination code clones a message
    // before sending it, and a clone's `copy["__proto__"] = …` sets a prototype, not a member
    // (@ndhoule/clone 1.0.0, which segmentio-facade uses; @segment/actions-core alike).
    if (kv.key() == "__proto__") continue;
    if (!first) out.put(',');
    first = false;
    write_string(out, kv.key());
    out.put(':');
    write_value(out, kv.value(), hook);
  }
  out.put('}');
}

// What a hook may write in place of a string (and a number's longest text).
inline constexpr std::size_t hook_room = 32;

template <class Hook>
void write_value(sink& out, boost::json::value const& v, Hook const& hook) {
  char number[hook_room];
  switch (v.kind()) {
    case boost::json::kind::null: return out.put("null", 4);
    case boost::json::kind::bool_: return v.get_bool() ? out.put("true", 4) : out.put("false", 5);
    case boost::json::kind::int64: return out.put(number, format_js_integer(v.get_int64(), number));
    case boost::json::kind::uint64: return out.put(number, format_js_integer(v.get_uint64(), number));
    case boost::json::kind::double_: return out.put(number, format_js_number(v.get_double(), number));
    case boost::json::kind::string:
      if (std::size_t const n = hook(v.get_string(), number)) return out.put(number, n);
      return write_string(out, v.get_string());
    case boost::json::kind::array: {
      out.put('[');
      bool first = true;
      for (auto const& e : v.get_array()) {
        if (!first) out.put(',');
        first = false;
        write_value(out, e, hook);
      }
      return out.put(']');
    }
    case boost::json::kind::object: return write_object(out, v.get_object(), {}, hook);
  }
}

// Writes `o` without its member `omit_key`, each string value (never a key) through `hook`:
// std::size_t hook(std::string_view s, char* out) writes the JSON that replaces s into out
// (hook_room bytes) and returns its length, or 0 to write s as it is.
template <class Hook>
void write_json_object(std::string& out, boost::json::object const& o, std::string_view omit_key, Hook const& hook) {
  sink s(out);
  write_object(s, o, omit_key, hook);
}

}  // namespace ajs::json::writer
