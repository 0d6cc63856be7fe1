#pragma once
// to-no-case 0.1.3, the version Segment's integration framework (segmentio-integration 5.x,
// `to-no-case ^0.1.2`) used to compare "Whitelist Track Events" entries with event names:
//   - text with whitespace (JavaScript `\s`) is only lower-cased;
//   - else text with a separator (`[\W_]`: anything but ASCII letters and digits, so any
//     non-ASCII character too) has each run of separators replaced by one space, or removed at
//     the end, then is lower-cased; if nothing is left, the original is lower-cased;
//   - else (ASCII letters and digits only) a space goes before each upper-case run, whose
//     letters are spaced apart ("ABTest" → "a b test"), then it is lower-cased.
// So "Order Completed", "order_completed", "orderCompleted" and "ORDER COMPLETED" are one name.
#include <string>
#include <string_view>

namespace ajs {

std::string to_no_case(std::string_view text);

}  // namespace ajs
