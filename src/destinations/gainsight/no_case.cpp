#include "destinations/gainsight/no_case.hpp"

#include "destinations/gainsight/js_lower_case.hpp"

namespace ajs {

namespace {

bool is_word_char(char c) {  // JavaScript `\w`, without the underscore: to-no-case splits on `[\W_]`
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

bool has_separator(std::string_view s) {
  for (char c : s)
    if (!is_word_char(c)) return true;
  return false;
}

// `string.replace(/[\W_]+(.|$)/g, (m, next) => next ? ' ' + next : '')`: a run of separators
// becomes one space before the character after it, and disappears at the end of the text.
std::string unseparate(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (is_word_char(s[i])) {
      out += s[i++];
      continue;
    }
    while (i < s.size() && !is_word_char(s[i])) ++i;
    if (i < s.size()) out += ' ';
  }
  return out;
}

// `string.replace(/(.)([A-Z]+)/g, (m, previous, uppers) => previous + ' ' + uppers.toLowerCase().split('').join(' '))`
std::string uncamelize(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (std::size_t i = 0; i < s.size();) {
    out += s[i];
    if (i + 1 >= s.size() || !is_upper(s[i + 1])) {
      ++i;
      continue;
    }
    for (i = i + 1; i < s.size() && is_upper(s[i]); ++i) {
      out += ' ';
      out += static_cast<char>(s[i] - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace

std::string to_no_case(std::string_view text) {
  if (js_has_whitespace(text)) return js_lower_case(text);
  if (has_separator(text)) {
    auto words = unseparate(text);
    return js_lower_case(words.empty() ? text : std::string_view(words));
  }
  return js_lower_case(uncamelize(text));
}

}  // namespace ajs
