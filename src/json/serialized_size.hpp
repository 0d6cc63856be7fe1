#pragma once
#include <boost/json/value.hpp>
#include <cstddef>

namespace ajs::json {

// The most bytes a JSON text of `text_bytes` can come out as when parsed and written again
// (write_json, as JSON.stringify): 21/4 as many. A number of 4 characters can come out as 21
// (1e20 is written 100000000000000000000); nothing else comes out longer than it went in: whitespace
// goes, and every escape written (quote, backslash, control characters) was an escape in the text
// too, at least as long (a lone surrogate's \udXXX is read as U+FFFD: ingest/lone_surrogates.hpp).
// So a text of up to 6,241 bytes always fits in 32 KB, unmeasured.
constexpr std::size_t longest_rewrite_size(std::size_t text_bytes) { return (text_bytes * 21 + 3) / 4; }

// serialized_size's quick estimate (fits) counts a string at its longest, every byte a \u00XX
// escape, and a number at the longest a double is written (-0.00000012345678901234567); json::parse's
// size_bounds count alike.
constexpr std::size_t longest_string_size(std::size_t size) { return 2 + 6 * size; }
constexpr std::size_t longest_number_size = 26;

// Bytes of `v` as write_json writes it (escapes and JavaScript's number form included), counted
// without serializing. Stops once past `limit`.
std::size_t serialized_size(boost::json::value const& v, std::size_t limit);

// serialized_size(v) <= limit, decided without formatting doubles or scanning strings unless it
// is close; without walking `v` at all when `bound` (json::parse's size_bounds) says so.
bool fits(boost::json::value const& v, std::size_t limit, std::size_t bound = ~std::size_t{0});

}  // namespace ajs::json
