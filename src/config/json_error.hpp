#pragma once
// Invalid JSON explained as a person fixes it: where parsing stopped (line and column from 1, the
// column in characters), what was there, and the fix for the usual slips (a trailing comma, single
// quotes, a comment, a name without quotes, a multi-line .dev.vars value cut short).
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace ajs {

// `offset`: where the parser stopped in `text`; `ec`: why.
std::string json_error_text(std::string_view text, std::size_t offset, boost::system::error_code const& ec);

}  // namespace ajs
