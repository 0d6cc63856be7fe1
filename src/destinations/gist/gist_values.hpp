#pragma once
// Small named transforms from Segment values to the values Gist expects. Each one answers
// "absent" (nullopt / false) for a value it cannot use, so a bad trait never becomes a bad field.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/flat_index.hpp"

namespace ajs::gist {

namespace bj = boost::json;

// Gist timestamps are Unix seconds (gist-api.md §0.4). Accepts ISO-8601 text (with Z, with an
// offset, date only), and epoch numbers or digit strings: at or above 1e11 they are read as
// milliseconds (1e11 s is the year 5138; 1e11 ms is 1973), below as seconds.
std::optional<std::int64_t> unix_seconds(bj::value const& v);
// An instant in ms as whole seconds, rounded down (what unix_seconds makes of its ISO text).
std::int64_t seconds_from_ms(std::int64_t ms);

// Gist's rule for a custom property's key, and nothing more: the name lower-cased, each space an
// underscore (docs.getgist.com "Contact properties glossary", gist-api.md [O6]). `planName` is
// `planname`, `Plan Name` is `plan_name`. Which letters past ASCII Gist lower-cases is not
// documented: they are kept as sent.
std::string property_key(std::string_view name);
// The same, appended to `out`.
void append_property_key(std::string& out, std::string_view name);

// Gist treats a custom property as a date when its key ends in `_at` (gist-api.md §9, [O5]).
std::string date_key(std::string key);

// An email Gist can key a contact on: trimmed, one `@` inside, no spaces.
std::optional<std::string_view> usable_email(bj::value const& v);

// Non-empty text; whole numbers are written out (a phone sent as a number is still a phone).
std::optional<std::string> text_of(bj::value const& v);

// A yes/no flag: a boolean, or the text "true"/"false".
std::optional<bool> flag_of(bj::value const& v);

// A number Gist cannot type as a whole number, as text (shortest form that reads back the same).
std::string number_text(double d);

// A list, which Gist has no type for, as text: items joined with ", ", objects as JSON.
std::string list_text(bj::array const& a);

// What flattening one body may still spend on keys (limits::gist_flattened_key_bytes); once spent,
// flattening stops and `exhausted` tells the planner not to send the body.
struct flat_budget {
  std::size_t left;
  bool exhausted = false;
  bool take(std::size_t key_bytes) {
    if (exhausted || key_bytes > left) return !(exhausted = true);
    left -= key_bytes;
    return true;
  }
};

// A flat JSON object written as text at the end of `out`: each key once, the first value written
// under a key wins. Keys are compared as written (JSON escaping is one-to-one on valid UTF-8),
// linearly while few, then in a table seeded with the request's randomness (the keys are the
// client's). A `__proto__` member counts but is not written, as write_json leaves it out.
class flat_object {
 public:
  flat_object(std::string& out, std::uint64_t seed) : out_(out), seed_(seed) { out_ += '{'; }
  // Writes `"key":` (a comma first past the first member) for the caller to write its value, and
  // says true; writes nothing and says false for a key the object has.
  bool key(std::string_view key);
  void close() { out_ += '}'; }
  bool empty() const { return written_ == 0 && !proto_; }
  std::string& out() { return out_; }

 private:
  struct span {
    std::uint32_t offset = 0, length = 0;
  };
  bool seen(span key);  // adds it when not

  std::string& out_;
  std::uint64_t seed_;
  std::size_t written_ = 0;
  bool proto_ = false;
  std::array<span, 16> few_{};
  flat_index<span> many_;
};

// Contact custom properties: nested objects flattened with `_` (address.city → address_city),
// keys through property_key, values typed the way Gist types properties (README.md "Gist"
// "Custom properties"). `key` is the property's key; nested members extend it in place, and it is
// as it was on return.
void add_contact_property(std::string& key, bj::value const& v, flat_object& into, flat_budget& budget);

// Event properties keep their keys as sent; only nesting is flattened (`_`) and lists become text,
// as Gist's events take flat metadata (gist-api.md §3.2). `key` as for add_contact_property.
void add_event_property(std::string& key, bj::value const& v, flat_object& into, flat_budget& budget);

// One change a `tags` trait asks for. Accepted shapes: ["a","b"], "a, b", {"a": true, "b": false}
// (false = remove). Names are trimmed, empty ones skipped, duplicates kept once.
struct tag_change {
  std::string name;
  bool untag = false;
};
// The tag changes a `tags` value asks for: distinct names, in order, at most
// limits::gist_tags_per_identify of them; `over_limit` counts the distinct names left out.
struct tag_changes_result {
  std::vector<tag_change> changes;
  std::size_t over_limit = 0;
};
tag_changes_result tag_changes(bj::value const& v);

}  // namespace ajs::gist
