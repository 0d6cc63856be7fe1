#pragma once
#include <boost/json/value.hpp>
#include <string>

namespace ajs::json {

// Appends `v` as compact JSON, byte for byte what boost::json::serialize writes, but straight
// into `out`: no resumable state machine and unescaped runs copied whole. Planning a batch
// serializes every outgoing body, so this is the core's hottest loop after parsing.
void write_json(std::string& out, boost::json::value const& v);

}  // namespace ajs::json
