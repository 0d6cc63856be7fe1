#pragma once
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace ajs::json {

// Appends `v` as compact JSON straight into `out`: no resumable state machine, unescaped runs
// copied whole. What boost::json::serialize writes, except doubles, which are written as
// JavaScript writes them (49.5, not 4.95E1): bodies carry the client's numbers as it sent them.
void write_json(std::string& out, boost::json::value const& v);
// An object without its member `omit_key`.
void write_json(std::string& out, boost::json::object const& o, std::string_view omit_key);

// Rewrites string values (never keys) as they are written: writes the JSON that replaces `s`
// into `out` (32 bytes) and returns its length, or 0 to write `s` as it is.
using string_value_hook = std::size_t (*)(std::string_view s, char* out);
// The same, each string value at any depth passed through `hook` (facade's date traversal:
// ingest/segment_dates.hpp).
void write_json(std::string& out, boost::json::object const& o, std::string_view omit_key, string_value_hook hook);

// An integer as JavaScript writes it (past 2^53, as the double it would be).
void write_json_integer(std::string& out, std::int64_t n);

// `text` as a JSON string (quotes and escapes), as JSON.stringify writes it.
void write_json_string(std::string& out, std::string_view text);

// Bytes write_json writes for a string, its quotes and escapes included.
std::size_t json_string_size(std::string_view s);

}  // namespace ajs::json
