#include "route/facade_enabled.hpp"

#include <string_view>

#include "json/access.hpp"

namespace ajs {

namespace {

using boost::json::object;
using boost::json::value;

// JavaScript's truthiness of a JSON value.
bool truthy(value const* v) {
  if (!v) return false;
  switch (v->kind()) {
    case boost::json::kind::null: return false;
    case boost::json::kind::bool_: return v->get_bool();
    case boost::json::kind::int64: return v->get_int64() != 0;
    case boost::json::kind::uint64: return v->get_uint64() != 0;
    case boost::json::kind::double_: return v->get_double() == v->get_double() && v->get_double() != 0;  // NaN: false
    case boost::json::kind::string: return !v->get_string().empty();
    default: return true;  // objects and arrays
  }
}

// How much of `path` the key matches as one step of obj-case's find: the key normalized as
// obj-case's defaultNormalize does it (letters and digits lower-cased, dots kept, everything else
// dropped) must be a prefix of the path that ends at its end or at a dot. npos: no match. Compared
// as it is normalized: most keys fail at their first character, and building each key's
// normalized form was most of routing's cost (perf, session 10).
std::size_t step_match(std::string_view key, std::string_view path) {
  std::size_t at = 0;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'))
      continue;
    if (at == path.size() || path[at] != c) return std::string_view::npos;
    ++at;
  }
  return at == path.size() || path[at] == '.' ? at : std::string_view::npos;
}

// obj-case's find(obj, path) for a path of letters and dots: at each level the first key (in
// order) whose normalized form is the path's next step (or steps: a key "a.b" matches two). A
// value that is not an object has no keys to match (a string's indices never match a letter).
// Returns nullptr when nothing matches or a step reaches null.
value const* obj_case(value const* v, std::string_view path) {
  while (v && v->is_object()) {
    value const* next = nullptr;
    for (auto const& kv : v->get_object()) {
      auto const matched = step_match(kv.key(), path);
      if (matched == std::string_view::npos) continue;
      auto const rest = path.substr(matched);
      path = rest.empty() ? rest : rest.substr(1);
      next = &kv.value();
      break;
    }
    if (!next || next->is_null()) return nullptr;
    if (path.empty()) return next;
    v = next;
  }
  return nullptr;
}

value const* member(object const& o, std::string_view key) { return json::find(o, key); }

}  // namespace

facade_integrations read_integrations(object const& message) {
  // options(): obj.options || obj.context || {}
  value const* options = member(message, "options");
  if (!truthy(options)) options = member(message, "context");
  if (!truthy(options)) options = nullptr;
  // integrations(): obj.integrations || proxy('options.providers') || options()
  value const* integrations = member(message, "integrations");
  if (!truthy(integrations)) integrations = obj_case(options, "providers");
  if (!truthy(integrations)) integrations = options;

  facade_integrations out;
  for (auto const* all :
       {obj_case(options, "providers.all"), obj_case(options, "all"), obj_case(integrations, "all")}) {
    if (all && all->is_bool()) {
      out.all = all->get_bool();
      break;
    }
  }
  out.settings = integrations ? integrations->if_object() : nullptr;
  return out;
}

bool facade_enabled(facade_integrations const& integrations, std::string_view name) {
  bool enabled = integrations.all;
  auto const* settings = integrations.settings;
  if (!settings) return enabled;
  if (auto const* providers = member(*settings, "providers"))
    if (auto const* p = providers->if_object())
      if (auto const* v = member(*p, name)) enabled = truthy(v);
  if (auto const* v = member(*settings, name)) enabled = v->is_bool() ? v->get_bool() : true;
  return enabled;
}

}  // namespace ajs
