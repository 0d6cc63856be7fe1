// json::format_js_number (src/json/js_number.hpp): its short-decimal fast path writes exactly what
// the general path (Ryu's shortest digits, laid out as JavaScript does) writes, for every kind of
// double: short decimals of each scale, their neighbours, integers about 2^50, random bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "json/js_number.hpp"

namespace {

std::string fast(double d) {
  char out[32];
  return std::string(out, ajs::json::format_js_number(d, out));
}

std::string general(double d) {
  char out[32];
  return std::string(out, ajs::json::detail::format_js_number_general(d, out));
}

}  // namespace

TEST_CASE("format_js_number: the fast path writes what the general path writes") {
  std::mt19937_64 random(20261203);
  std::size_t checked = 0;
  auto const same = [&](double d) {
    ++checked;
    if (fast(d) != general(d)) {
      CAPTURE(d);
      CHECK(fast(d) == general(d));
    }
  };
  double const powers[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  for (int round = 0; round < 400000; ++round) {
    // A short decimal of k places, its neighbours a few ulps away, both signs.
    auto const m = static_cast<double>(random() % (std::uint64_t{1} << (1 + random() % 52)));
    double const d = m / powers[random() % 9];
    for (double x : {d, std::nextafter(d, 0.0), std::nextafter(d, 1e300), -d}) same(x);
    // Any double at all.
    std::uint64_t bits = random();
    double any;
    std::memcpy(&any, &bits, sizeof any);
    same(any);
  }
  for (double x : {0.0,
                   -0.0,
                   1.0,
                   0.1,
                   0.2,
                   0.3,
                   1e-6,
                   1e-7,
                   1.5e-6,
                   49.5,
                   19.99,
                   48.13743,
                   1125899906842623.0,
                   1125899906842624.0,
                   1125899906842625.0,
                   112589990684262.4,
                   9007199254740993.0,
                   1e21,
                   1e15 + 0.5,
                   std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::denorm_min(),
                   std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()})
    for (double y : {x, -x}) same(y);
  CHECK(checked > 2'000'000);
  CHECK(fast(49.5) == "49.5");
  CHECK(fast(-0.000001) == "-0.000001");
  CHECK(fast(1e-7) == "1e-7");
  CHECK(fast(123456.789) == "123456.789");
  CHECK(fast(-0.0) == "0");
}
