#include "config/settings_reader.hpp"

#include <algorithm>

#include "json/access.hpp"

namespace ajs {

problem config_problem(std::string message) { return {500, "invalid_config", std::move(message), {}, {}}; }

bool valid_binding_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto ok_first = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto ok_rest = [&](char c) { return ok_first(c) || (c >= '0' && c <= '9'); };
  return ok_first(name[0]) && std::all_of(name.begin() + 1, name.end(), ok_rest);
}

std::string settings_reader::field(std::string_view key) const {
  std::string f = path_;
  if (!f.empty()) f += '.';
  f += key;
  return f;
}

result<void> settings_reader::only_keys(std::initializer_list<std::string_view> known) const {
  for (auto const& kv : object_) {
    if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end()) {
      std::string list;
      for (auto k : known) {
        if (!list.empty()) list += ", ";
        list += k;
      }
      return config_problem(field(kv.key()) + ": unknown setting (known: " + list + ")");
    }
  }
  return {};
}

result<std::string> settings_reader::string(std::string_view key, bool required, std::string fallback) const {
  auto const* v = json::find(object_, key);
  if (!v || v->is_null()) {
    if (required) return config_problem(field(key) + ": required");
    return fallback;
  }
  auto const* s = v->if_string();
  if (!s) return config_problem(field(key) + ": must be a string");
  if (required && s->empty()) return config_problem(field(key) + ": must not be empty");
  return std::string(*s);
}

result<bool> settings_reader::boolean(std::string_view key, bool fallback) const {
  auto const* v = json::find(object_, key);
  if (!v || v->is_null()) return fallback;
  if (!v->is_bool()) return config_problem(field(key) + ": must be true or false");
  return v->get_bool();
}

result<std::vector<std::string>> settings_reader::string_list(std::string_view key) const {
  std::vector<std::string> out;
  auto const* v = json::find(object_, key);
  if (!v || v->is_null()) return out;
  auto const* a = v->if_array();
  if (!a) return config_problem(field(key) + ": must be a list of strings");
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto const* s = (*a)[i].if_string();
    if (!s) return config_problem(field(key) + "[" + std::to_string(i) + "]: must be a string");
    out.emplace_back(*s);
  }
  return out;
}

result<std::string> settings_reader::secret(std::string_view key, bool required, std::string_view pattern) const {
  auto const* v = json::find(object_, key);
  if (!v || v->is_null()) {
    if (required) return config_problem(field(key) + R"(: required, as {"secret": "BINDING_NAME"})");
    return std::string();
  }
  auto const* o = v->if_object();
  if (!o)
    return config_problem(field(key) + R"(: must be {"secret": "BINDING_NAME"} naming a Worker secret; )"
                                       "credentials are never written in the config");
  settings_reader ref(*o, field(key));
  if (auto r = ref.only_keys({"secret"}); !r) return r.error();
  auto name = ref.string("secret", true);
  if (!name) return name.error();
  if (!valid_binding_name(*name))
    return config_problem(ref.field("secret") + ": not a binding name (letters, digits and _)");
  if (secrets_) secrets_->push_back({*name, field(key), std::string(pattern)});
  return *name;
}

result<std::string> settings_reader::base_url(std::string_view key, std::string fallback) const {
  auto s = string(key, false, std::move(fallback));
  if (!s) return s;
  std::string url = std::move(*s);
  std::string_view v(url);
  bool const http = v.substr(0, 7) == "http://";
  if (!(http || v.substr(0, 8) == "https://") || v.find_first_of(" \t\r\n") != v.npos)
    return config_problem(field(key) + ": must be an https:// URL");
  if (http && !allow_insecure_endpoints_)
    return config_problem(field(key) +
                          ": must be an https:// URL: over http:// the destination's credentials would "
                          "cross the network in clear text (for local tests, set \"allowInsecureEndpoints\": "
                          "true at the top of the config)");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

result<boost::json::object const*> settings_reader::object_or_null(std::string_view key) const {
  auto const* v = json::find(object_, key);
  if (!v || v->is_null()) return static_cast<boost::json::object const*>(nullptr);
  if (!v->is_object()) return config_problem(field(key) + ": must be an object");
  return &v->get_object();
}

}  // namespace ajs
