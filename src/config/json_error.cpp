#include "config/json_error.hpp"

#include <boost/json/error.hpp>
#include <string>

namespace ajs {

namespace {

// Where parsing stopped, as an editor counts: line and column from 1, the column in characters
// (a UTF-8 continuation byte belongs to the character before it).
std::string text_position(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The character at `offset` as a person reads it: quoted when printable, named when not.
std::string character_at(std::string_view text, std::size_t offset) {
  auto const c = static_cast<unsigned char>(text[offset]);
  if (c == '\n') return "a line break";
  if (c == '\t') return "a tab";
  if (c == '\'') return "a single quote";
  if (c < 0x20 || c == 0x7F) return "control character " + std::to_string(c);
  std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || offset + n > text.size()) return "a byte that is not UTF-8";
  for (std::size_t i = 1; i < n; ++i)
    if ((static_cast<unsigned char>(text[offset + i]) & 0xC0) != 0x80) return "a byte that is not UTF-8";
  return "'" + std::string(text.substr(offset, n)) + "'";
}

}  // namespace

std::string json_error_text(std::string_view text, std::size_t offset, boost::system::error_code const& ec) {
  std::string const where = "not valid JSON at " + text_position(text, offset) + ": ";
  if (ec == boost::json::error::incomplete)
    return where +
           "the text ends before the JSON does (a closing }, ] or \" is missing; in .dev.vars, a "
           "config on several lines must be in single quotes)";
  if (offset >= text.size()) return where + ec.message();
  std::string const found = character_at(text, offset);
  if (ec == boost::json::error::extra_data)
    return where + "found " + found + " after the end of the JSON" +
           (found == "'}'" || found == "']'" ? " (one closing bracket too many)" : "");
  if (ec != boost::json::error::syntax) return where + ec.message() + " at " + found;
  char const c = text[offset];
  std::size_t before = offset;
  while (before > 0 && std::string_view(" \t\r\n").find(text[before - 1]) != std::string_view::npos) --before;
  if ((c == '}' || c == ']') && before > 0 && text[before - 1] == ',')
    return where + "found " + found + " after a comma (JSON allows no trailing comma)";
  char const previous = before > 0 ? text[before - 1] : '\0';
  if (std::string_view("\"{[-0123456789tfn").find(c) != std::string_view::npos) {  // a value or a name starts
    if (previous != '\0' && std::string_view("}]el0123456789").find(previous) != std::string_view::npos)
      return where + "found " + found + " (is a comma missing before it?)";
    if (previous == '"') return where + "found " + found + " (is a comma or a colon missing before it?)";
  }
  if (static_cast<unsigned char>(c) < 0x20)
    return where + "found " + found + " in a string (JSON needs it escaped: \\n, \\t, \\u0001)";
  if (c == '\'') return where + "found " + found + " (JSON strings and names take double quotes)";
  if (c == '/' || c == '#') return where + "found " + found + " (JSON has no comments)";
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
    return where + "found " + found + " (names and strings take double quotes; true, false and null are lower case)";
  return where + "found " + found;
}

}  // namespace ajs
