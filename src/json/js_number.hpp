#pragma once
#include <cstdint>
#include <string>

namespace ajs::json {

// A double as JavaScript writes it (Number.prototype.toString, which JSON.stringify uses): the
// shortest digits that read back, in plain notation from 1e-7 to 1e21 (49.5, 0.001, 1e+21,
// 1e-7). Clients sent their numbers this way; Boost.JSON would write 4.95E1.
// `out` needs 32 bytes; returns the length. NaN and infinities (never parsed) write "null".
unsigned format_js_number(double d, char* out);

// An integer as JavaScript writes it once JSON.parse has made it a double: exact up to 2^53, past
// that the nearest double's digits (12345678901234567890 → 12345678901234567000), as Segment's
// JavaScript sent it on. `out` needs 32 bytes; returns the length.
unsigned format_js_integer(std::int64_t i, char* out);
unsigned format_js_integer(std::uint64_t u, char* out);

std::string js_number(double d);

namespace detail {
// format_js_number by its general path alone (Ryu's digits, laid out): the oracle of its fast
// path's test.
unsigned format_js_number_general(double d, char* out);
}  // namespace detail

}  // namespace ajs::json
