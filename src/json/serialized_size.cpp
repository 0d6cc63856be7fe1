#include "json/serialized_size.hpp"

#include "json/js_number.hpp"
#include "json/write_json.hpp"

namespace ajs::json {

namespace {

// Exactly as written, or (estimate) at most: then doubles count at their longest form and strings
// at longest_string_size, so nothing is formatted or scanned for escapes.
std::size_t string_size(boost::json::string_view s, bool exact) {
  return exact ? json_string_size(std::string_view(s.data(), s.size())) : longest_string_size(s.size());
}

void add(boost::json::value const& v, std::size_t& total, std::size_t limit, bool exact) {
  if (total > limit) return;
  switch (v.kind()) {
    case boost::json::kind::null: total += 4; break;
    case boost::json::kind::bool_: total += v.get_bool() ? 4 : 5; break;
    case boost::json::kind::int64: {
      char text[32];
      total += format_js_integer(v.get_int64(), text);
      break;
    }
    case boost::json::kind::uint64: {
      char text[32];
      total += format_js_integer(v.get_uint64(), text);
      break;
    }
    case boost::json::kind::double_: {
      if (!exact) {
        total += longest_number_size;
        break;
      }
      char text[32];
      total += format_js_number(v.get_double(), text);
      break;
    }
    case boost::json::kind::string: total += string_size(v.get_string(), exact); break;
    case boost::json::kind::array: {
      auto const& a = v.get_array();
      total += 2 + (a.empty() ? 0 : a.size() - 1);
      for (auto const& e : a) add(e, total, limit, exact);
      break;
    }
    case boost::json::kind::object: {
      auto const& o = v.get_object();
      total += 2 + (o.empty() ? 0 : o.size() - 1);
      for (auto const& kv : o) {
        total += string_size(kv.key(), exact) + 1;
        add(kv.value(), total, limit, exact);
      }
      break;
    }
  }
}

}  // namespace

std::size_t serialized_size(boost::json::value const& v, std::size_t limit) {
  std::size_t total = 0;
  add(v, total, limit, true);
  return total;
}

bool fits(boost::json::value const& v, std::size_t limit, std::size_t bound) {
  if (bound <= limit) return true;
  // Doubles are slow to format and strings to scan for escapes: first an upper bound, which settles
  // any value of up to about a sixth of the limit, then exactly only for one that seemed not to.
  std::size_t estimate = 0;
  add(v, estimate, limit, false);
  return estimate <= limit || serialized_size(v, limit) <= limit;
}

}  // namespace ajs::json
