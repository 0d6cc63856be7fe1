#pragma once
#include <boost/json/value.hpp>
#include <cstddef>

namespace ajs::json {

// Bytes of `v` as write_json writes it (escapes and JavaScript's number form included), counted
// without serializing. Stops once past `limit`.
std::size_t serialized_size(boost::json::value const& v, std::size_t limit);

// serialized_size(v) <= limit, decided without formatting doubles or scanning strings unless it
// is close.
bool fits(boost::json::value const& v, std::size_t limit);

}  // namespace ajs::json
