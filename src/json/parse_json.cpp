#include "json/parse_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ajs::json {

namespace bj = boost::json;

bool boost_reads_exactly(std::string_view number) {
  std::size_t i = 0, n = number.size();
  if (i < n && number[i] == '-') ++i;
  int significant = 0, fraction = 0;
  bool in_fraction = false;
  for (; i < n; ++i) {
    char const c = number[i];
    if (c == '.') {
      in_fraction = true;
    } else if (c >= '0' && c <= '9') {
      if (significant > 0 || c != '0') ++significant;
      if (in_fraction) ++fraction;
    } else {
      break;
    }
  }
  int exponent = 0;
  if (i < n) {  // 'e' or 'E'
    ++i;
    bool negative = false;
    if (i < n && (number[i] == '-' || number[i] == '+')) negative = number[i++] == '-';
    if (n - i > 4) return false;  // far beyond ±22 (or leading zeros): let strtod decide
    for (; i < n; ++i) exponent = exponent * 10 + (number[i] - '0');
    if (negative) exponent = -exponent;
  }
  int const power = exponent - fraction;  // the value is (all digits as an integer) × 10^power
  // Below 10^15 < 2^53 the mantissa is exact in a double; 10^0..10^22 are exact doubles; so
  // Boost's one multiplication or division rounds once, correctly.
  return significant <= 15 && power >= -22 && power <= 22;
}

double read_double(std::string_view number) {
  char buffer[64];
  if (number.size() < sizeof buffer) {
    std::memcpy(buffer, number.data(), number.size());
    buffer[number.size()] = '\0';
    return std::strtod(buffer, nullptr);
  }
  std::string const copy(number);  // strtod needs a terminated string
  return std::strtod(copy.c_str(), nullptr);
}

namespace {

// boost::json::detail::handler (what boost::json::parser builds a value with), but a double
// whose reading may be off is read again from its text.
struct exact_handler {
  static constexpr std::size_t max_object_size = bj::object::max_size();
  static constexpr std::size_t max_array_size = bj::array::max_size();
  static constexpr std::size_t max_key_size = bj::string::max_size();
  static constexpr std::size_t max_string_size = bj::string::max_size();

  bj::value_stack st;

  exact_handler(bj::storage_ptr sp, unsigned char* buffer, std::size_t size) : st(std::move(sp), buffer, size) {}

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) { return true; }
  bool on_object_end(std::size_t n, bj::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(bj::error_code&) { return true; }
  bool on_array_end(std::size_t n, bj::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_string(s);
    return true;
  }
  // parse() writes the whole text at once, so the parser never suspends inside a number: no
  // parts, and on_double's text is the number's whole text.
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(std::int64_t i, bj::string_view, bj::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, bj::string_view, bj::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, bj::string_view s, bj::error_code&) {
    std::string_view const text(s.data(), s.size());
    st.push_double(boost_reads_exactly(text) ? d : read_double(text));
    return true;
  }
  bool on_bool(bool b, bj::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(bj::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

}  // namespace

bj::value parse(std::string_view text, boost::system::error_code& ec, bj::storage_ptr sp,
                bj::parse_options const& options, std::size_t* consumed) {
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];  // as boost::json::parse
  bj::basic_parser<exact_handler> p(options, bj::storage_ptr(), temp, sizeof temp);
  p.handler().st.reset(std::move(sp));
  std::size_t const n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = bj::error::extra_data;
  if (consumed) *consumed = n;
  if (ec) return nullptr;
  return p.handler().st.release();
}

}  // namespace ajs::json
