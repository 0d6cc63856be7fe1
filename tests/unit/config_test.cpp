#include <doctest/doctest.h>

#include "config/config.hpp"

using ajs::parse_config;

namespace {
std::string error_of(std::string_view json) {
  auto c = parse_config(json);
  return c ? std::string("<ok>") : c.error().message;
}
}  // namespace

TEST_CASE("config: a minimal source parses") {
  auto c = parse_config(R"({"sources":[{"writeKey":"wk","allowedOrigins":["https://a.example"],
                             "destinations":{"capture":{}}}]})");
  REQUIRE(c.has_value());
  REQUIRE(c->sources.size() == 1);
  CHECK(c->find_source("wk") != nullptr);
  CHECK(c->find_source("other") == nullptr);
  CHECK(c->find_source("") == nullptr);
  CHECK(c->sources[0].destinations.size() == 1);
}

TEST_CASE("config: errors name the field") {
  CHECK(error_of("not json").find("AJS_EDGE_CONFIG: not valid JSON") == 0);
  CHECK(error_of("[]") == "AJS_EDGE_CONFIG: must be a JSON object");
  CHECK(error_of("{}") == "sources: required, a non-empty list of sources");
  CHECK(error_of(R"({"sources":[{}]})") == "sources[0].writeKey: required");
  CHECK(error_of(R"({"sources":[{"writeKey":""}]})") == "sources[0].writeKey: must not be empty");
  CHECK(error_of(R"({"sources":[{"writeKey":"a"},{"writeKey":"a"}]})") == "sources[1].writeKey: duplicate writeKey");
  CHECK(error_of(R"({"sources":[{"writeKey":"a","allowedOrigins":"x"}]})") ==
        "sources[0].allowedOrigins: must be a list of strings");
  CHECK(error_of(R"({"sources":[{"writeKey":"a","typo":1}]})").find("sources[0].typo: unknown setting") == 0);
  CHECK(error_of(R"({"sources":[{"writeKey":"a","destinations":{"nope":{}}}]})") ==
        "sources[0].destinations.nope: unknown destination (known: capture, gist, gainsight, gainsightPx)");
  CHECK(error_of(R"({"sources":[{"writeKey":"a","destinations":{"capture":{"endpoint":"ftp://x"}}}]})") ==
        "sources[0].destinations.capture.endpoint: must be an https:// URL");
}

TEST_CASE("config: invalid JSON is placed by line and column, in characters, with the usual fix") {
  CHECK(
      error_of("{\n  \"sources\": [\n    {\"writeKey\": \"wk\",},\n  ]\n}") ==
      "AJS_EDGE_CONFIG: not valid JSON at line 3, column 23: found '}' after a comma (JSON allows no trailing comma)");
  CHECK(error_of("{\"name\":\"Caf\u00e9\",'x'}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 1, column 16: found a single quote (JSON strings and names take "
        "double quotes)");
  CHECK(error_of("{\r\n\"sources\" []}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 2, column 11: found '[' (is a comma or a colon missing before it?)");
  CHECK(error_of("{\n  // sources\n}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 2, column 3: found '/' (JSON has no comments)");
  CHECK(error_of("{sources: []}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 1, column 2: found 's' (names and strings take double quotes; "
        "true, false and null are lower case)");
  CHECK(error_of("{\"sources\": [\n  {\"writeKey\": \"a\"}\n  {\"writeKey\": \"b\"}]}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 3, column 3: found '{' (is a comma missing before it?)");
  CHECK(error_of("{\"writeKey\": \"a\"\n \"name\": \"b\"}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 2, column 2: found '\"' (is a comma or a colon missing before it?)");
  CHECK(error_of("{\"name\": \"two\nlines\"}") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 1, column 14: found a line break in a string (JSON needs it escaped: "
        "\\n, \\t, \\u0001)");
  CHECK(error_of(R"({"sources":[]}})") ==
        "AJS_EDGE_CONFIG: not valid JSON at line 1, column 15: found '}' after the end of the JSON (one closing "
        "bracket too many)");
}

TEST_CASE("config: JSON cut short, as .dev.vars cuts an unquoted multi-line value, says where and how to quote it") {
  std::string const hint =
      ": the text ends before the JSON does (a closing }, ] or \" is missing; in .dev.vars, a config on several "
      "lines must be in single quotes)";
  CHECK(error_of("{") == "AJS_EDGE_CONFIG: not valid JSON at line 1, column 2" + hint);
  CHECK(error_of("{\n  \"sources\": [") == "AJS_EDGE_CONFIG: not valid JSON at line 2, column 15" + hint);
}

TEST_CASE("config: a credential written literally is refused, a secret binding is recorded") {
  CHECK(error_of(R"({"sources":[{"writeKey":"a","destinations":{"gist":{"apiKey":"sk_live_123"}}}]})")
            .find(R"(sources[0].destinations.gist.apiKey: must be {"secret": "BINDING_NAME"})") == 0);
  CHECK(error_of(R"({"sources":[{"writeKey":"a","destinations":{"gist":{"apiKey":{"secret":"bad name"}}}}]})") ==
        "sources[0].destinations.gist.apiKey.secret: not a binding name (letters, digits and _)");
  auto c =
      parse_config(R"({"sources":[{"writeKey":"a","destinations":{"gist":{"apiKey":{"secret":"GIST_API_KEY"}}}}]})");
  REQUIRE(c.has_value());
  REQUIRE(c->secrets.size() == 1);
  CHECK(c->secrets[0].binding == "GIST_API_KEY");
  CHECK(c->secrets[0].field == "sources[0].destinations.gist.apiKey");
}

TEST_CASE("config: allowedOrigins empty or * allows any origin, otherwise exact match") {
  auto c = parse_config(R"({"sources":[{"writeKey":"a","allowedOrigins":["https://a.example"]},
                                       {"writeKey":"b"}]})");
  REQUIRE(c.has_value());
  CHECK(c->sources[0].origin_allowed("https://a.example"));
  CHECK(!c->sources[0].origin_allowed("https://a.example.evil"));
  CHECK(!c->sources[0].origin_allowed("http://a.example"));
  CHECK(c->sources[1].origin_allowed("https://anything.example"));
}

TEST_CASE("config: the built-in default is the demo source with every destination") {
  auto c = ajs::default_config();
  CHECK(c.is_default);
  auto const* demo = c.find_source(ajs::demo_write_key);
  REQUIRE(demo);
  std::vector<std::string_view> keys;
  for (auto const& d : demo->destinations) keys.push_back(d.kind->config_key);
  CHECK(keys == std::vector<std::string_view>{"capture", "gist", "gainsight", "gainsightPx"});
}

TEST_CASE("config: basePath is normalized and must be absolute") {
  auto c = parse_config(R"({"basePath":"/collect/","sources":[{"writeKey":"a"}]})");
  REQUIRE(c.has_value());
  CHECK(c->base_path == "/collect");
  CHECK(error_of(R"({"basePath":"collect","sources":[{"writeKey":"a"}]})") == "basePath: must start with /");
}
