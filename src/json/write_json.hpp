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

// (An object written with a string hook of the caller's: json/json_writer.hpp write_json_object.)

// An integer as JavaScript writes it (past 2^53, as the double it would be).
void write_json_integer(std::string& out, std::int64_t n);

// `text` as a JSON string (quotes and escapes), as JSON.stringify writes it.
void write_json_string(std::string& out, std::string_view text);

// Bytes write_json writes for a string, its quotes and escapes included.
std::size_t json_string_size(std::string_view s);

}  // namespace ajs::json
