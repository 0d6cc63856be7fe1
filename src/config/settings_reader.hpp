#pragma once
// Reads one object of the configuration with errors that name the field, e.g.
// `sources[0].destinations.gist.apiKey: must be {"secret": "BINDING_NAME"}`.
#include <boost/json/object.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"

namespace ajs {

problem config_problem(std::string message);

// A secret the host must find among its bindings at config load, and the shape its value must
// have (an ECMAScript regular expression, "" for any). The core never sees the value itself.
struct secret_requirement {
  std::string binding;
  std::string field;  // where the config names it, for the error message
  std::string pattern;
};

class settings_reader {
 public:
  // `allow_insecure_endpoints`: the config's top-level switch that lets base_url take http://
  // (local tests); otherwise credentials would cross the network in clear text.
  settings_reader(boost::json::object const& object, std::string path,
                  std::vector<secret_requirement>* secrets = nullptr, bool allow_insecure_endpoints = false)
      : object_(object),
        path_(std::move(path)),
        secrets_(secrets),
        allow_insecure_endpoints_(allow_insecure_endpoints) {}

  boost::json::object const& object() const { return object_; }
  std::string const& path() const { return path_; }
  std::string field(std::string_view key) const;  // "path.key"

  // Every key must be one of `known` (typos in a config are errors, not silence).
  result<void> only_keys(std::initializer_list<std::string_view> known) const;

  result<std::string> string(std::string_view key, bool required, std::string fallback = {}) const;
  result<bool> boolean(std::string_view key, bool fallback) const;
  result<std::vector<std::string>> string_list(std::string_view key) const;
  // {"secret": "NAME"}: the name of a Worker secret binding. Literal credentials are refused.
  // `pattern`: what the host must check the secret's value against at config load.
  result<std::string> secret(std::string_view key, bool required, std::string_view pattern = {}) const;
  // An https base URL (http only when the config allows insecure endpoints) without a trailing
  // slash; `fallback` when absent.
  result<std::string> base_url(std::string_view key, std::string fallback) const;
  // A nested object, or nullptr when absent.
  result<boost::json::object const*> object_or_null(std::string_view key) const;

 private:
  boost::json::object const& object_;
  std::string path_;
  std::vector<secret_requirement>* secrets_;
  bool allow_insecure_endpoints_;
};

// Binding names: letters, digits and _, not starting with a digit.
bool valid_binding_name(std::string_view name);

}  // namespace ajs
