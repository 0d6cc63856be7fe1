#pragma once
// Typed, non-throwing reads of untrusted JSON: a missing key or a wrong type reads as "absent".
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace ajs::json {

using boost::json::array;
using boost::json::object;
using boost::json::value;

inline std::string_view string_or_empty(object const& o, std::string_view key) {
  if (auto const* v = o.if_contains(key))
    if (auto const* s = v->if_string()) return *s;
  return {};
}

inline object const* object_at(object const& o, std::string_view key) {
  if (auto const* v = o.if_contains(key)) return v->if_object();
  return nullptr;
}

inline object* object_at(object& o, std::string_view key) {
  if (auto* v = o.if_contains(key)) return v->if_object();
  return nullptr;
}

inline array const* array_at(object const& o, std::string_view key) {
  if (auto const* v = o.if_contains(key)) return v->if_array();
  return nullptr;
}

// Segment ids may arrive as numbers (userId: 123); they are ids all the same.
// Writes the id's text into `scratch` when it has to be formatted.
std::string_view id_text(value const* v, std::string& scratch);

}  // namespace ajs::json
