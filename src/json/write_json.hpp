#pragma once
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace ajs::json {

// Appends `v` as compact JSON, byte for byte what boost::json::serialize writes, but straight
// into `out`: no resumable state machine and unescaped runs copied whole. Planning a batch
// serializes every outgoing body, so this is the core's hottest loop after parsing.
void write_json(std::string& out, boost::json::value const& v);
// An object without its member `omit_key`.
void write_json(std::string& out, boost::json::object const& o, std::string_view omit_key);

}  // namespace ajs::json
