#pragma once
// JSON text to a Boost.JSON value, with every number read as JavaScript's JSON.parse reads it.
//
// Boost.JSON 1.81 computes a decimal as mantissa × 10^exponent in doubles. That is exact only
// while the mantissa fits 53 bits and the power of ten is exact (|exponent| ≤ 22); past that the
// result can be an ulp off: 113.17408141314563 reads as 113.17408141314564, and about one
// number in eight that JavaScript writes (Math.random(), i / 3, 0.1 * 3) comes out changed.
// Those numbers are read again from their text with strtod, which glibc and musl (the libc of
// both wasm builds) round correctly. Everything else is Boost's parser, options and errors.
#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>
#include <vector>

namespace ajs::json {

// What a parse can say of sizes as it goes, for json::fits (serialized_size.hpp) to decide most
// values without walking them: upper bounds of the bytes write_json writes, counted as
// serialized_size's quick estimate counts (a string 2 + 6 bytes a byte, a number 26, …), so never
// under the exact size. A duplicated key's dropped value counts too: over, never under.
struct size_bounds {
  static constexpr std::size_t unknown = ~std::size_t{0};
  std::string_view array_member;       // asked: the root object's member of this name, when an array
  std::size_t max_elements = unknown;  // asked: at most this many of its elements (the first)
  std::size_t document = unknown;
  // Each element of that array (its last occurrence, the one the value keeps), in order, up to
  // max_elements; unknown for an element that is not an object or an array. Empty when the member
  // is absent or not an array.
  std::vector<std::size_t> elements;
};

// `consumed`, when given, receives how far parsing got (where an error is). `bounds`, when
// given, is filled as size_bounds says.
boost::json::value parse(std::string_view text, boost::system::error_code& ec, boost::json::storage_ptr sp = {},
                         boost::json::parse_options const& options = {}, std::size_t* consumed = nullptr,
                         size_bounds* bounds = nullptr);

// Whether Boost.JSON's own reading of this number text (valid JSON) is the correctly rounded one.
bool boost_reads_exactly(std::string_view number);

// The double nearest to a number's text (valid JSON), as JSON.parse reads it.
double read_double(std::string_view number);

}  // namespace ajs::json
