#pragma once
#include <boost/json/value.hpp>
#include <cstddef>

namespace ajs::json {

// Bytes of `v` serialized compactly, counted without serializing: exact for everything but
// doubles, which count as their longest form. Stops counting once past `limit`.
std::size_t serialized_size(boost::json::value const& v, std::size_t limit);

}  // namespace ajs::json
