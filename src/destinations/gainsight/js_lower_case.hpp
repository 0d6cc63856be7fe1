#pragma once
// JavaScript's String.prototype.toLowerCase for UTF-8 text, as far as event names need it:
// Segment lower-cased whitelist entries and event names in Node before comparing them, so the
// core must fold the same letters Node folds.
#include <string>
#include <string_view>

namespace ajs {

// Covered: ASCII, Latin-1, Latin Extended-A, Latin Extended Additional (Vietnamese), Greek and Coptic
// (without the final-sigma rule: Σ always becomes σ), Cyrillic and Armenian. Other code points
// and invalid UTF-8 bytes are copied unchanged.
std::string js_lower_case(std::string_view utf8);

// JavaScript's `\s`: ASCII whitespace plus U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000 and U+FEFF.
bool js_has_whitespace(std::string_view utf8);

}  // namespace ajs
