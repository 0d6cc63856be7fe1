#include "json/parse_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

#include "json/serialized_size.hpp"

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

// Upper bounds of serialized sizes, counted as the parse goes (parse_json.hpp size_bounds): a
// running total of everything read, and where the asked array's elements began in it.
class bound_counter {
 public:
  explicit bound_counter(size_bounds* asked) : asked_(asked) {}

  // Inside an item (three containers deep or more) only the total moves; the root, its members
  // and the asked array's elements take the slow paths.
  void string_part(std::size_t size) { total_ += 6 * size; }
  void string(std::size_t size) { scalar(longest_string_size(size)); }
  void number() { scalar(longest_number_size); }
  void literal() { scalar(5); }  // true, false, null
  void key_part(std::string_view s) {
    total_ += 6 * s.size();
    // (Past the asked name's length it cannot match: not kept further.)
    if (depth_ == 1 && asked_ && key_.size() <= asked_->array_member.size()) key_ += s;
  }
  void key(std::string_view s) {
    total_ += longest_string_size(s.size()) + 1;  // and its colon
    if (depth_ == 1 && asked_) root_key(s);
  }
  void begin(bool array) {
    if (depth_ <= 2 && asked_) top_begin(array);
    ++depth_;
  }
  void end(std::size_t members) {
    total_ += 2 + (members ? members - 1 : 0);  // brackets and commas
    --depth_;
    if (depth_ <= 2 && asked_) top_end();
  }

 private:
  enum class member { other, named, in_array };

  void scalar(std::size_t bound) {
    total_ += bound;
    if (depth_ <= 2 && asked_) top_scalar();
  }
  void root_key(std::string_view s) {
    // A root member: the asked one again means its last occurrence, the one the value keeps.
    bool const asked = key_.empty() ? s == asked_->array_member : (key_ += s) == asked_->array_member;
    key_.clear();
    member_ = asked ? member::named : member::other;
    if (asked) asked_->elements.clear();
  }
  void top_begin(bool array) {
    if (depth_ == 1 && member_ == member::named) member_ = array ? member::in_array : member::other;
    if (depth_ == 2 && member_ == member::in_array) element_start_ = total_;
  }
  void top_end() {
    if (depth_ == 2 && member_ == member::in_array) element(total_ - element_start_);
    if (depth_ == 1 && member_ == member::in_array) member_ = member::other;
    if (depth_ == 0) asked_->document = total_;
  }
  void element(std::size_t bound) {
    if (asked_->elements.size() < asked_->max_elements) asked_->elements.push_back(bound);
  }
  void top_scalar() {
    if (depth_ == 1 && member_ == member::named) member_ = member::other;
    if (depth_ == 2 && member_ == member::in_array) element(size_bounds::unknown);
    if (depth_ == 0) asked_->document = total_;
  }

  size_bounds* asked_;
  std::size_t total_ = 0;
  std::size_t depth_ = 0;  // containers open
  member member_ = member::other;
  std::size_t element_start_ = 0;
  std::string key_;  // a root member's key read in parts (escapes)
};

// boost::json::detail::handler (what boost::json::parser builds a value with), but a double
// whose reading may be off is read again from its text; and counting size bounds.
struct exact_handler {
  static constexpr std::size_t max_object_size = bj::object::max_size();
  static constexpr std::size_t max_array_size = bj::array::max_size();
  static constexpr std::size_t max_key_size = bj::string::max_size();
  static constexpr std::size_t max_string_size = bj::string::max_size();

  bj::value_stack st;
  bound_counter bounds;

  exact_handler(bj::storage_ptr sp, unsigned char* buffer, std::size_t size, size_bounds* asked)
      : st(std::move(sp), buffer, size), bounds(asked) {}

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) {
    bounds.begin(false);
    return true;
  }
  bool on_object_end(std::size_t n, bj::error_code&) {
    st.push_object(n);
    bounds.end(n);
    return true;
  }
  bool on_array_begin(bj::error_code&) {
    bounds.begin(true);
    return true;
  }
  bool on_array_end(std::size_t n, bj::error_code&) {
    st.push_array(n);
    bounds.end(n);
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_chars(s);
    bounds.key_part(std::string_view(s.data(), s.size()));
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_key(s);
    bounds.key(std::string_view(s.data(), s.size()));
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_chars(s);
    bounds.string_part(s.size());
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    st.push_string(s);
    bounds.string(s.size());
    return true;
  }
  // parse() writes the whole text at once, so the parser never suspends inside a number: no
  // parts, and on_double's text is the number's whole text.
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(std::int64_t i, bj::string_view, bj::error_code&) {
    st.push_int64(i);
    bounds.number();
    return true;
  }
  bool on_uint64(std::uint64_t u, bj::string_view, bj::error_code&) {
    st.push_uint64(u);
    bounds.number();
    return true;
  }
  bool on_double(double d, bj::string_view s, bj::error_code&) {
    std::string_view const text(s.data(), s.size());
    st.push_double(boost_reads_exactly(text) ? d : read_double(text));
    bounds.number();
    return true;
  }
  bool on_bool(bool b, bj::error_code&) {
    st.push_bool(b);
    bounds.literal();
    return true;
  }
  bool on_null(bj::error_code&) {
    st.push_null();
    bounds.literal();
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

}  // namespace

bj::value parse(std::string_view text, boost::system::error_code& ec, bj::storage_ptr sp,
                bj::parse_options const& options, std::size_t* consumed, size_bounds* bounds) {
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];  // as boost::json::parse
  if (bounds) {
    bounds->document = size_bounds::unknown;
    bounds->elements.clear();
  }
  bj::basic_parser<exact_handler> p(options, bj::storage_ptr(), temp, sizeof temp, bounds);
  p.handler().st.reset(std::move(sp));
  std::size_t const n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = bj::error::extra_data;
  if (consumed) *consumed = n;
  if (ec) return nullptr;
  return p.handler().st.release();
}

}  // namespace ajs::json
