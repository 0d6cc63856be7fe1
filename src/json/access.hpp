#pragma once
// Typed, non-throwing reads of untrusted JSON: a missing key or a wrong type reads as "absent".
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstring>
#include <string_view>

namespace ajs::json {

using boost::json::array;
using boost::json::object;
using boost::json::value;

// The member named `key`, or nullptr: o.if_contains(key), faster on the small objects a message is
// made of. Boost keeps no index for objects of up to 18 members and compares every key of the
// same length with a call to memcmp (a message's keys share few lengths: timestamp, messageId and
// _metadata are all 9); here the first byte is compared first. Bigger objects keep Boost's hash
// lookup, so that no object makes a lookup cost more than that many comparisons.
constexpr std::size_t scanned_members = 18;

inline value const* find(object const& o, std::string_view key) noexcept {
  if (o.size() > scanned_members || key.empty()) return o.if_contains(key);
  for (auto const& kv : o) {
    auto const k = kv.key();
    if (k.size() == key.size() && k[0] == key[0] && std::memcmp(k.data(), key.data(), key.size()) == 0)
      return &kv.value();
  }
  return nullptr;
}

inline value* find(object& o, std::string_view key) noexcept {
  return const_cast<value*>(find(static_cast<object const&>(o), key));
}

inline std::string_view string_or_empty(object const& o, std::string_view key) {
  if (auto const* v = find(o, key))
    if (auto const* s = v->if_string()) return *s;
  return {};
}

inline object const* object_at(object const& o, std::string_view key) {
  if (auto const* v = find(o, key)) return v->if_object();
  return nullptr;
}

inline object* object_at(object& o, std::string_view key) {
  if (auto* v = find(o, key)) return v->if_object();
  return nullptr;
}

inline array const* array_at(object const& o, std::string_view key) {
  if (auto const* v = find(o, key)) return v->if_array();
  return nullptr;
}

// Segment ids may arrive as numbers (userId: 123); they are ids all the same.
// Writes the id's text into `scratch` when it has to be formatted.
std::string_view id_text(value const* v, std::string& scratch);

}  // namespace ajs::json
