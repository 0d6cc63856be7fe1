#include "destinations/gist/gist_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

#include "ingest/limits.hpp"

#include "ingest/timestamp.hpp"
#include "json/js_number.hpp"
#include "json/write_json.hpp"

namespace ajs::gist {

namespace {

constexpr std::int64_t milliseconds_from = 100'000'000'000;  // see unix_seconds

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::int64_t epoch_seconds(std::int64_t n) {
  return (n >= milliseconds_from || n <= -milliseconds_from) ? floor_div(n, 1000) : n;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool ends_with_at(std::string_view key) { return key.size() >= 3 && key.substr(key.size() - 3) == "_at"; }

std::optional<std::int64_t> whole(double d) {
  if (!std::isfinite(d) || std::fabs(d) >= 9.0e18 || d != std::floor(d)) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

std::string integer_text(std::int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  return std::string(buf, r.ptr);
}

// A nested member's key, in place: the parent's key (the first `parent` bytes of `key`) and the
// member's `part` joined with "_", or whichever of them is not empty.
void join_key(std::string& key, std::size_t parent, std::string_view part, bool as_property_key) {
  key.resize(parent);
  if (parent != 0 && !part.empty()) key += '_';
  if (as_property_key)
    append_property_key(key, part);
  else
    key += part;
}

}  // namespace

std::int64_t seconds_from_ms(std::int64_t ms) { return floor_div(ms, 1000); }

std::optional<std::int64_t> unix_seconds(bj::value const& v) {
  if (auto const* i = v.if_int64()) return epoch_seconds(*i);
  if (v.is_uint64()) return std::nullopt;  // beyond int64: no plausible date in either unit
  if (auto const* d = v.if_double()) {
    if (!std::isfinite(*d) || std::fabs(*d) >= 9.0e18) return std::nullopt;
    return epoch_seconds(static_cast<std::int64_t>(std::floor(*d)));
  }
  auto const* s = v.if_string();
  if (!s) return std::nullopt;
  auto const text = trim(*s);
  if (auto ms = parse_iso8601_ms(text)) return seconds_from_ms(*ms);
  std::int64_t n = 0;
  auto const r = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return epoch_seconds(n);
}

void append_property_key(std::string& out, std::string_view name) {
  auto const at = out.size();
  out += name;
  for (auto i = at; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    else if (c == ' ')
      c = '_';
  }
}

std::string property_key(std::string_view name) {
  std::string out;
  append_property_key(out, name);
  return out;
}

std::string date_key(std::string key) {
  if (!ends_with_at(key)) key += "_at";
  return key;
}

std::optional<std::string_view> usable_email(bj::value const& v) {
  auto const* s = v.if_string();
  if (!s) return std::nullopt;
  auto const email = trim(*s);
  auto const at = email.find('@');
  if (at == email.npos || at == 0 || at + 1 == email.size() || email.find('@', at + 1) != email.npos)
    return std::nullopt;
  for (char c : email)
    if (is_space(c)) return std::nullopt;
  return email;
}

std::optional<std::string> text_of(bj::value const& v) {
  if (auto const* s = v.if_string()) {
    auto const t = trim(*s);
    if (t.empty()) return std::nullopt;
    return std::string(t);
  }
  if (auto const* i = v.if_int64()) return integer_text(*i);
  if (auto const* u = v.if_uint64()) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, *u);
    return std::string(buf, r.ptr);
  }
  return std::nullopt;
}

std::optional<bool> flag_of(bj::value const& v) {
  if (v.is_bool()) return v.get_bool();
  if (auto const* s = v.if_string()) {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  return std::nullopt;
}

std::string number_text(double d) { return json::js_number(d); }

std::string list_text(bj::array const& a) {
  std::string out;
  for (auto const& item : a) {
    std::string part;
    if (auto const* s = item.if_string())
      part = std::string(*s);
    else if (auto const* d = item.if_double())
      part = number_text(*d);
    else if (item.is_null())
      continue;
    else
      json::write_json(part, item);
    if (!out.empty()) out += ", ";
    out += part;
  }
  return out;
}

bool flat_object::seen(span key) {
  std::string_view const text(out_);
  auto const same = [&](span other) {
    return text.substr(other.offset, other.length) == text.substr(key.offset, key.length);
  };
  if (written_ < few_.size()) {
    for (std::size_t i = 0; i < written_; ++i)
      if (same(few_[i])) return true;
    few_[written_] = key;
    return false;
  }
  if (written_ == few_.size())  // the first past the few: they move to the table (distinct, so each is added)
    for (auto k : few_)
      *many_.find_or_add(hash_bytes(text.substr(k.offset, k.length), seed_), [](span) { return false; }).first = k;
  auto [slot, added] = many_.find_or_add(hash_bytes(text.substr(key.offset, key.length), seed_), same);
  if (added) *slot = key;
  return !added;
}

bool flat_object::key(std::string_view key) {
  if (key == "__proto__") {
    proto_ = true;
    return false;
  }
  auto const mark = out_.size();
  if (written_ > 0) out_ += ',';
  auto const at = out_.size();
  json::write_json_string(out_, key);
  if (seen({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(out_.size() - at)})) {
    out_.resize(mark);
    return false;
  }
  out_ += ':';
  ++written_;
  return true;
}

void add_contact_property(std::string& key, bj::value const& v, flat_object& into, flat_budget& budget) {
  if (budget.exhausted) return;
  if (auto const* o = v.if_object()) {
    auto const parent = key.size();
    for (auto const& kv : *o) {
      join_key(key, parent, kv.key(), true);
      add_contact_property(key, kv.value(), into, budget);
    }
    key.resize(parent);
    return;
  }
  if (key.empty() || !budget.take(key.size())) return;
  auto& out = into.out();
  switch (v.kind()) {
    case bj::kind::string: {
      // ISO text is a date: Unix seconds under an `_at` key. Anything else is text (emails and
      // URLs included: Gist types those by the property's definition, not by the JSON type).
      if (auto ms = parse_iso8601_ms(trim(v.get_string()))) {
        if (into.key(date_key(key))) json::write_json_integer(out, seconds_from_ms(*ms));
        return;
      }
      if (ends_with_at(key))
        if (auto s = unix_seconds(v)) {
          if (into.key(key)) json::write_json_integer(out, *s);
          return;
        }
      if (into.key(key)) json::write_json_string(out, v.get_string());
      return;
    }
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_: {
      if (ends_with_at(key)) {
        if (auto s = unix_seconds(v))
          if (into.key(key)) json::write_json_integer(out, *s);
        return;
      }
      if (!into.key(key)) return;
      if (auto const* d = v.if_double()) {
        if (auto n = whole(*d))
          json::write_json_integer(out, *n);
        else
          json::write_json_string(out, number_text(*d));  // Gist numbers are whole numbers only
        return;
      }
      json::write_json(out, v);
      return;
    }
    case bj::kind::array:
      if (into.key(key)) json::write_json_string(out, list_text(v.get_array()));
      return;
    case bj::kind::bool_:
    case bj::kind::null:  // null clears the property in Gist ([O5])
    case bj::kind::object:
      if (into.key(key)) json::write_json(out, v);
      return;
  }
}

void add_event_property(std::string& key, bj::value const& v, flat_object& into, flat_budget& budget) {
  if (budget.exhausted) return;
  if (auto const* o = v.if_object()) {
    auto const parent = key.size();
    for (auto const& kv : *o) {
      join_key(key, parent, kv.key(), false);
      add_event_property(key, kv.value(), into, budget);
    }
    key.resize(parent);
    return;
  }
  if (key.empty() || !budget.take(key.size())) return;
  if (!into.key(key)) return;
  if (auto const* a = v.if_array())
    json::write_json_string(into.out(), list_text(*a));
  else
    json::write_json(into.out(), v);
}

tag_changes_result tag_changes(bj::value const& v) {
  tag_changes_result out;
  std::unordered_set<std::string> seen;  // linear however many tags repeat
  auto add = [&](std::string_view name, bool untag) {
    name = trim(name);
    if (name.empty() || !seen.emplace(name).second) return;
    if (out.changes.size() < limits::gist_tags_per_identify)
      out.changes.push_back({std::string(name), untag});
    else
      ++out.over_limit;
  };
  if (auto const* s = v.if_string()) {
    std::string_view rest = *s;
    while (!rest.empty()) {
      auto const comma = rest.find(',');
      add(rest.substr(0, comma), false);
      rest = comma == rest.npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else if (auto const* a = v.if_array()) {
    for (auto const& item : *a)
      if (auto name = text_of(item)) add(*name, false);
  } else if (auto const* o = v.if_object()) {
    for (auto const& kv : *o)
      if (kv.value().is_bool()) add(kv.key(), !kv.value().get_bool());
  }
  return out;
}

}  // namespace ajs::gist
