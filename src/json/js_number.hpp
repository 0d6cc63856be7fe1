#pragma once
#include <string>

namespace ajs::json {

// A double as JavaScript writes it (Number.prototype.toString, which JSON.stringify uses): the
// shortest digits that read back, in plain notation from 1e-7 to 1e21 (49.5, 0.001, 1e+21,
// 1e-7). Clients sent their numbers this way; Boost.JSON would write 4.95E1.
// `out` needs 32 bytes; returns the length. NaN and infinities (never parsed) write "null".
unsigned format_js_number(double d, char* out);

std::string js_number(double d);

}  // namespace ajs::json
