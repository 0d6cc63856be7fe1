#include "json/write_json.hpp"

#include "json/js_number.hpp"
#include "json/json_writer.hpp"

namespace ajs::json {

using writer::clean_prefix;
using writer::escapes;
using writer::keep_strings;
using writer::sink;
using writer::write_object;
using writer::write_string;
using writer::write_value;

std::size_t json_string_size(std::string_view s) {
  std::size_t n = s.size() + 2;
  for (std::size_t i = clean_prefix(s.data(), s.size()); i < s.size();
       i += 1 + clean_prefix(s.data() + i + 1, s.size() - i - 1))
    n += escapes.c[static_cast<unsigned char>(s[i])] == 1 ? 5 : 1;
  return n;
}

void write_json(std::string& out, boost::json::value const& v) {
  sink s(out);
  write_value(s, v, keep_strings{});
}

void write_json(std::string& out, boost::json::object const& o, std::string_view omit_key) {
  sink s(out);
  write_object(s, o, omit_key, keep_strings{});
}

void write_json_integer(std::string& out, std::int64_t n) {
  char number[32];
  out.append(number, format_js_integer(n, number));
}

void write_json_string(std::string& out, std::string_view text) {
  // Most strings need no escape (URLs, ids, keys): appended as they are, with their quotes.
  bool const clean = clean_prefix(text.data(), text.size()) == text.size();
  if (clean) {
    // (No reserve: libc++ reserves exactly what is asked, and a reserve per string on a growing
    // buffer copies it each time.)
    out += '"';
    out.append(text.data(), text.size());
    out += '"';
    return;
  }
  sink s(out);
  write_string(s, boost::json::string_view(text.data(), text.size()));
}

}  // namespace ajs::json
