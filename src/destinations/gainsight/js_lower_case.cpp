#include "destinations/gainsight/js_lower_case.hpp"

#include <cstdint>

namespace ajs {

namespace {

// How a block of upper-case letters maps to lower case (Unicode's simple lowercase mapping).
enum class step : std::uint8_t {
  shift,      // every code point in [first, last] gains `delta`
  even_pair,  // even code points are upper case, the next (odd) one is their lower case
  odd_pair,   // odd code points are upper case, the next (even) one is their lower case
};

struct case_block {
  char32_t first, last;
  step how;
  std::int32_t delta = 0;  // for `shift`
};

constexpr case_block case_blocks[] = {
    {0x0041, 0x005A, step::shift, 0x20},             // A–Z
    {0x00C0, 0x00D6, step::shift, 0x20},             // À–Ö
    {0x00D8, 0x00DE, step::shift, 0x20},             // Ø–Þ
    {0x0100, 0x012F, step::even_pair},               // Ā–į
    {0x0132, 0x0137, step::even_pair},               // Ĳ–ķ
    {0x0139, 0x0148, step::odd_pair},                // Ĺ–ň
    {0x014A, 0x0177, step::even_pair},               // Ŋ–ŷ
    {0x0178, 0x0178, step::shift, 0x00FF - 0x0178},  // Ÿ → ÿ
    {0x0179, 0x017E, step::odd_pair},                // Ź–ž
    {0x0370, 0x0373, step::even_pair},               // Ͱ Ͳ (Heta, archaic Sampi)
    {0x0376, 0x0377, step::even_pair},               // Ͷ (Pamphylian Digamma)
    {0x037F, 0x037F, step::shift, 0x03F3 - 0x037F},  // Ϳ → ϳ
    {0x0386, 0x0386, step::shift, 0x26},             // Ά
    {0x0388, 0x038A, step::shift, 0x25},             // Έ–Ί
    {0x038C, 0x038C, step::shift, 0x40},             // Ό
    {0x038E, 0x038F, step::shift, 0x3F},             // Ύ–Ώ
    {0x0391, 0x03A1, step::shift, 0x20},             // Α–Ρ
    {0x03A3, 0x03AB, step::shift, 0x20},             // Σ–Ϋ
    {0x03CF, 0x03CF, step::shift, 0x08},             // Ϗ → ϗ
    {0x03D8, 0x03EF, step::even_pair},               // Ϙ–ϯ (archaic letters, Coptic)
    {0x03F4, 0x03F4, step::shift, 0x03B8 - 0x03F4},  // ϴ → θ
    {0x03F7, 0x03F8, step::odd_pair},                // Ϸ
    {0x03F9, 0x03F9, step::shift, 0x03F2 - 0x03F9},  // Ϲ → ϲ
    {0x03FA, 0x03FB, step::even_pair},               // Ϻ
    {0x03FD, 0x03FF, step::shift, 0x037B - 0x03FD},  // Ͻ–Ͽ → ͻ–ͽ
    {0x0400, 0x040F, step::shift, 0x50},             // Ѐ–Џ
    {0x0410, 0x042F, step::shift, 0x20},             // А–Я
    {0x0460, 0x0481, step::even_pair},               // Ѡ–ҁ
    {0x048A, 0x04BF, step::even_pair},               // Ҋ–ҿ
    {0x04C0, 0x04C0, step::shift, 0x0F},             // Ӏ → ӏ
    {0x04C1, 0x04CE, step::odd_pair},                // Ӂ–ӎ
    {0x04D0, 0x052F, step::even_pair},               // Ӑ–ԯ
    {0x0531, 0x0556, step::shift, 0x30},             // Ա–Ֆ
    {0x1E00, 0x1E95, step::even_pair},               // Ḁ–ẕ
    {0x1E9E, 0x1E9E, step::shift, 0x00DF - 0x1E9E},  // ẞ → ß
    {0x1EA0, 0x1EFF, step::even_pair},               // Ạ–ỿ
};

char32_t lower(char32_t c) {
  for (auto const& b : case_blocks) {
    if (c < b.first || c > b.last) continue;
    switch (b.how) {
      case step::shift: return static_cast<char32_t>(static_cast<std::int32_t>(c) + b.delta);
      case step::even_pair: return c % 2 == 0 ? c + 1 : c;
      case step::odd_pair: return c % 2 == 1 ? c + 1 : c;
    }
  }
  return c;
}

constexpr char32_t invalid = 0xFFFFFFFF;

// Decodes the code point at `i` and advances `i`; an invalid byte reads as `invalid` and
// advances by one.
char32_t decode(std::string_view s, std::size_t& i) {
  auto const b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return invalid;
  }
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    auto const b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 0x2) {
      ++i;
      return invalid;
    }
    c = (c << 6) | (b & 0x3F);
  }
  i += len;
  return c;
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_js_whitespace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

}  // namespace

std::string js_lower_case(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    auto const start = i;
    auto const c = decode(utf8, i);
    if (c == invalid) {
      out += utf8[start];
    } else if (c == 0x0130) {
      out += "i\xCC\x87";  // İ → i + U+0307 COMBINING DOT ABOVE (SpecialCasing.txt, unconditional)
    } else {
      encode(lower(c), out);
    }
  }
  return out;
}

bool js_has_whitespace(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size();)
    if (is_js_whitespace(decode(utf8, i))) return true;
  return false;
}

}  // namespace ajs
