#include "json/serialized_size.hpp"

#include "json/js_number.hpp"
#include "json/write_json.hpp"

namespace ajs::json {

namespace {

std::size_t string_size(boost::json::string_view s) { return json_string_size(std::string_view(s.data(), s.size())); }

void add(boost::json::value const& v, std::size_t& total, std::size_t limit, bool exact_doubles) {
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
      if (!exact_doubles) {
        total += 26;  // the longest a double is written: -0.00000012345678901234567
        break;
      }
      char text[32];
      total += format_js_number(v.get_double(), text);
      break;
    }
    case boost::json::kind::string: total += string_size(v.get_string()); break;
    case boost::json::kind::array: {
      auto const& a = v.get_array();
      total += 2 + (a.empty() ? 0 : a.size() - 1);
      for (auto const& e : a) add(e, total, limit, exact_doubles);
      break;
    }
    case boost::json::kind::object: {
      auto const& o = v.get_object();
      total += 2 + (o.empty() ? 0 : o.size() - 1);
      for (auto const& kv : o) {
        total += string_size(kv.key()) + 1;
        add(kv.value(), total, limit, exact_doubles);
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

bool fits(boost::json::value const& v, std::size_t limit) {
  // Doubles are slow to format: first with each counted at its longest form, which settles any
  // value that fits, then exactly only for one that seemed not to.
  std::size_t estimate = 0;
  add(v, estimate, limit, false);
  return estimate <= limit || serialized_size(v, limit) <= limit;
}

}  // namespace ajs::json
