#include <doctest/doctest.h>

#include <cstdio>
#include <iterator>
#include <string>

#include "destinations/gainsight/js_lower_case.hpp"

namespace {

#include "js_lower_case_table.inc"

struct block {
  char32_t first, last;
};
struct change {
  char32_t code_point;
  char const* lower;
};
constexpr block blocks[] = {AJS_JS_LOWER_CASE_BLOCKS};
constexpr change changes[] = {AJS_JS_LOWER_CASE_CHANGES};

std::string utf8(char32_t c) {
  std::string out;
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
  return out;
}

std::string code_point(char32_t c) {
  char text[12];
  std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(c));
  return text;
}

}  // namespace

// The oracle is JavaScript itself: the table holds what Node's toLowerCase makes of every code
// point in the covered blocks (tests/unit/make_js_lower_case_table.mjs; tests/core checks it
// is current). Every other code point there must come back unchanged.
TEST_CASE("js_lower_case: every code point of the covered blocks folds as JavaScript folds it") {
  std::size_t next = 0, checked = 0;
  for (auto const& b : blocks)
    for (char32_t c = b.first; c <= b.last; ++c) {
      std::string expected = utf8(c);
      if (next < std::size(changes) && changes[next].code_point == c) expected = changes[next++].lower;
      CHECK_MESSAGE(ajs::js_lower_case(utf8(c)) == expected, code_point(c));
      ++checked;
    }
  CHECK(next == std::size(changes));
  CHECK(checked == 0x180 + 0x220 + 0x100);
}

TEST_CASE("js_lower_case: letters in context, and bytes that are not UTF-8 pass through") {
  CHECK(ajs::js_lower_case("ЗАКАЗ Оформлен") == "заказ оформлен");
  CHECK(ajs::js_lower_case("ΣΟΦΙΑ") == "σοφια");  // no final-sigma rule (documented)
  CHECK(ajs::js_lower_case("İstanbul") == "i\xCC\x87stanbul");
  CHECK(ajs::js_lower_case("A\xFF"
                           "B\xC3") ==
        "a\xFF"
        "b\xC3");
  CHECK(ajs::js_lower_case("\xE2\x82") == "\xE2\x82");
  CHECK(ajs::js_lower_case("𝐀Ж") == "𝐀ж");  // outside the blocks: unchanged
  CHECK(ajs::js_lower_case("\x80"
                           "A") ==
        "\x80"
        "a");  // a continuation byte alone is no character
  // Code points at the ends of each UTF-8 length come out as they went in.
  for (char32_t c : {0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x3FFFFu, 0x40000u, 0xE0041u, 0x10FFFFu})
    CHECK_MESSAGE(ajs::js_lower_case(utf8(c) + "A") == utf8(c) + "a", code_point(c));
}

TEST_CASE("js_has_whitespace: JavaScript's \\s, and nothing else") {
  for (char32_t c : {0x20u, 0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0xA0u, 0x1680u, 0x2000u, 0x2005u, 0x200Au, 0x2028u,
                     0x2029u, 0x202Fu, 0x205Fu, 0x3000u, 0xFEFFu})
    CHECK_MESSAGE(ajs::js_has_whitespace("a" + utf8(c) + "b"), code_point(c));
  for (char32_t c :
       {0x08u, 0x0Eu, 0x1Fu, 0x85u, 0x9Fu, 0x1FFFu, 0x200Bu, 0x2027u, 0x202Au, 0x202Eu, 0x2060u, 0x3001u, 0xFEFEu})
    CHECK_FALSE_MESSAGE(ajs::js_has_whitespace("a" + utf8(c) + "b"), code_point(c));
  CHECK(ajs::js_has_whitespace(" a"));  // the first character counts too
  CHECK_FALSE(ajs::js_has_whitespace("OrderCompleted"));
  CHECK_FALSE(ajs::js_has_whitespace(""));
}
