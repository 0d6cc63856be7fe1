// json::parse (src/json/parse_json.hpp): every number read as the correctly rounded double, as
// JSON.parse reads it. Boost.JSON 1.81's own reading is an ulp off for some numbers past 15
// significant digits or 10^±22; the compiler's reading of a literal is the independent oracle.
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "json/parse_json.hpp"

namespace {

double read(std::string const& text) {
  boost::system::error_code ec;
  auto v = ajs::json::parse(text, ec);
  REQUIRE_MESSAGE(!ec, text);
  REQUIRE_MESSAGE(v.is_double(), text);
  return v.get_double();
}

double boost_read(std::string const& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  REQUIRE(!ec);
  return v.as_double();
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("numbers Boost.JSON 1.81 reads an ulp off are read as the compiler reads them") {
  struct known {
    char const* text;
    double value;
  };
  known const cases[] = {
      {"113.17408141314563", 113.17408141314563},
      {"998.92030650086815", 998.92030650086815},
      {"1.3927926388013963e-143", 1.3927926388013963e-143},
      {"6.1279183657966458e+88", 6.1279183657966458e+88},
      {"0.30000000000000004", 0.30000000000000004},
      {"9007199254740993.5", 9007199254740993.5},
      {"1e23", 1e23},
      {"5e-324", 5e-324},
      {"2.2250738585072011e-308", 2.2250738585072011e-308},
      {"1.7976931348623157e308", 1.7976931348623157e308},
      {"123456789012345678901234567890", 123456789012345678901234567890.0},
      {"-0.1234567890123456789012345678901234567890", -0.1234567890123456789012345678901234567890},
  };
  int boost_off = 0;
  for (auto const& c : cases) {
    CHECK_MESSAGE(same_bits(read(c.text), c.value), c.text);
    if (!same_bits(boost_read(c.text), c.value)) ++boost_off;
  }
  CHECK(boost_off >= 4);  // the cases are ones Boost gets wrong, so the test can fail
}

TEST_CASE("out of range and signed zeros read as JSON.parse reads them") {
  CHECK(read("1e400") == std::numeric_limits<double>::infinity());
  CHECK(read("-1e400") == -std::numeric_limits<double>::infinity());
  CHECK(same_bits(read("1e-400"), 0.0));
  CHECK(same_bits(read("-1e-400"), -0.0));
  CHECK(same_bits(read("-0.0"), -0.0));
  CHECK(same_bits(read("0e-99999"), 0.0));
  std::string const long_one = "1." + std::string(5000, '0') + "1";  // past the stack buffer
  CHECK(read(long_one) == 1.0);
  CHECK(read("0." + std::string(400, '0') + "1e400") == 0.1);
}

TEST_CASE("integers stay integers; values, errors and their place are Boost's") {
  boost::system::error_code ec;
  auto v = ajs::json::parse(R"({"a":[1,-2,18446744073709551615,1.5,"x",true,null]})", ec);
  REQUIRE(!ec);
  auto const& a = v.as_object().at("a").as_array();
  CHECK(a[0].is_int64());
  CHECK(a[1].as_int64() == -2);
  CHECK(a[2].as_uint64() == 18446744073709551615u);
  CHECK(a[3].as_double() == 1.5);
  CHECK(a[4].as_string() == "x");
  std::size_t consumed = 0;
  ajs::json::parse("{\"a\":1} x", ec, {}, {}, &consumed);
  CHECK(ec == boost::json::error::extra_data);
  CHECK(consumed == 8);
  ajs::json::parse("[1,2,", ec, {}, {}, &consumed);
  CHECK(ec);
  boost::json::parse_options shallow;
  shallow.max_depth = 2;
  ajs::json::parse("[[[1]]]", ec, {}, shallow);
  CHECK(ec == boost::json::error::too_deep);
}

// The claim that decides which numbers are read again: wherever it says Boost is exact, Boost's
// reading equals the correctly rounded one (strtod, glibc), over numbers of every shape.
TEST_CASE("boost_reads_exactly is never wrong, and the numbers it passes are the common ones") {
  std::mt19937_64 rng(20261202);
  char text[64];
  int exact = 0, total = 0;
  auto check = [&](std::string const& t) {
    ++total;
    double const correct = std::strtod(t.c_str(), nullptr);
    CHECK_MESSAGE(same_bits(read(t), correct), t);
    if (ajs::json::boost_reads_exactly(t)) {
      ++exact;
      CHECK_MESSAGE(same_bits(boost_read(t), correct), t);
    }
  };
  for (int i = 0; i < 20000; ++i) {
    double const x = std::uniform_real_distribution<double>(0, 1000)(rng);
    int const precision = 1 + static_cast<int>(rng() % 17);
    std::snprintf(text, sizeof text, "%.*g", precision, x);
    if (!std::strpbrk(text, ".e")) std::strcat(text, ".0");  // a double, not an integer
    check(text);
    if (!std::strchr(text, 'e')) check(std::string(text) + "e" + std::to_string(static_cast<int>(rng() % 60) - 30));
    std::uint64_t bits = rng();
    double y;
    std::memcpy(&y, &bits, sizeof y);
    if (std::isfinite(y)) {
      std::snprintf(text, sizeof text, "%.17g", y);
      if (!std::strpbrk(text, ".e")) std::strcat(text, ".0");
      check(text);
    }
  }
  CHECK(exact > total / 4);
}
