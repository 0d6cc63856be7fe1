#include "json/js_number.hpp"

#include <boost/json/value.hpp>  // Boost.JSON's config, which detail/format.hpp needs first
#include <boost/json/detail/format.hpp>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <iterator>

namespace ajs::json {

namespace {

constexpr double powers_of_ten[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};  // each exact
constexpr double short_decimal_limit = 1125899906842624.0;             // 2^50

// A value with up to 6 decimals and under 2^50 once scaled (49.5, 0.25, 19.99, 48.13743), written
// as m / 10^k for the least k at which an integer m reads back as d, without Ryu (whose 128-bit
// products are calls in wasm). Under 2^50 an ulp is at most 1/8: d·10^k, rounded once, lies within
// 3/8 of m, so rounding it finds m, and m is the only integer that reads back at that k; m / 10^k
// is correctly rounded, as reading the text back is. The least k gives the fewest digits: Ryu's
// shortest text. 0 when there is none (the general path writes it). tests/unit/js_number_test.cpp
// checks it against the general path.
unsigned short_decimal(double d, char* out) {
  double const magnitude = std::fabs(d);
  for (unsigned k = 0; k < std::size(powers_of_ten); ++k) {
    double const scaled = magnitude * powers_of_ten[k];
    if (!(scaled < short_decimal_limit)) return 0;
    double const m = std::nearbyint(scaled);
    if (m / powers_of_ten[k] != magnitude || m == 0) continue;
    // The digits of m, the point k digits from the right (0.0…0 before them when m is shorter).
    char digits[20];
    auto const n = static_cast<unsigned>(boost::json::detail::format_uint64(digits, static_cast<std::uint64_t>(m)));
    unsigned o = 0;
    if (d < 0) out[o++] = '-';
    if (n <= k) {
      out[o++] = '0';
      out[o++] = '.';
      for (unsigned z = n; z < k; ++z) out[o++] = '0';
      std::memcpy(out + o, digits, n);
      return o + n;
    }
    std::memcpy(out + o, digits, n - k);
    o += n - k;
    if (k == 0) return o;
    out[o++] = '.';
    std::memcpy(out + o, digits + n - k, k);
    return o + k;
  }
  return 0;
}

}  // namespace

unsigned format_js_number(double d, char* out) {
  if (unsigned const n = short_decimal(d, out)) return n;
  return detail::format_js_number_general(d, out);
}

unsigned detail::format_js_number_general(double d, char* out) {
  if (std::isnan(d) || std::isinf(d)) {
    std::memcpy(out, "null", 4);
    return 4;
  }
  if (d == 0) {
    out[0] = '0';
    return 1;
  }
  // Boost's shortest round-trip digits (ryu), written as d.dddE±x; re-laid out below.
  char sci[boost::json::detail::max_number_chars + 1];
  unsigned const len = boost::json::detail::format_double(sci, d);
  sci[len] = '\0';  // format_double does not terminate; atoi below needs it
  char digits[24];
  unsigned k = 0;  // number of significant digits
  unsigned i = 0;
  bool const negative = sci[0] == '-';
  if (negative) ++i;
  for (; i < len && sci[i] != 'E' && sci[i] != 'e'; ++i)
    if (sci[i] >= '0' && sci[i] <= '9') digits[k++] = sci[i];
  int exponent = std::atoi(sci + i + 1);
  while (k > 1 && digits[k - 1] == '0') --k;  // ryu gives none, but be safe
  int const n = exponent + 1;                 // the decimal point sits after n digits

  unsigned o = 0;
  if (negative) out[o++] = '-';
  int const kk = static_cast<int>(k);
  if (kk <= n && n <= 21) {
    for (int j = 0; j < kk; ++j) out[o++] = digits[j];
    for (int j = kk; j < n; ++j) out[o++] = '0';
  } else if (0 < n && n <= 21) {
    for (int j = 0; j < n; ++j) out[o++] = digits[j];
    out[o++] = '.';
    for (int j = n; j < kk; ++j) out[o++] = digits[j];
  } else if (-6 < n && n <= 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int j = n; j < 0; ++j) out[o++] = '0';
    for (int j = 0; j < kk; ++j) out[o++] = digits[j];
  } else {
    out[o++] = digits[0];
    if (k > 1) {
      out[o++] = '.';
      for (int j = 1; j < kk; ++j) out[o++] = digits[j];
    }
    out[o++] = 'e';
    int e = n - 1;
    out[o++] = e < 0 ? '-' : '+';
    if (e < 0) e = -e;
    char buf[6];
    int b = 0;
    do {
      buf[b++] = static_cast<char>('0' + e % 10);
      e /= 10;
    } while (e);
    while (b) out[o++] = buf[--b];
  }
  return o;
}

std::string js_number(double d) {
  char buf[32];
  return std::string(buf, format_js_number(d, buf));
}

namespace {
constexpr std::uint64_t max_safe_integer = 9007199254740991;  // 2^53 - 1: every integer to here is exact
}

unsigned format_js_integer(std::int64_t i, char* out) {
  auto const magnitude = i < 0 ? 0 - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
  if (magnitude <= max_safe_integer) return static_cast<unsigned>(boost::json::detail::format_int64(out, i));
  return format_js_number(static_cast<double>(i), out);
}

unsigned format_js_integer(std::uint64_t u, char* out) {
  if (u <= max_safe_integer) return static_cast<unsigned>(boost::json::detail::format_uint64(out, u));
  return format_js_number(static_cast<double>(u), out);
}

}  // namespace ajs::json
