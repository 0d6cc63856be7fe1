#pragma once
#include <boost/json/value.hpp>
#include <cstddef>

namespace ajs::json {

// Bytes of `v` serialized compactly, counted without serializing: exact but for escapes in
// strings (not counted) and doubles (counted as their longest form). Stops once past `limit`.
std::size_t serialized_size(boost::json::value const& v, std::size_t limit);

}  // namespace ajs::json
