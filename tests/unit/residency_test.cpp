// Issue #17: a source marked "residency": "eu" carries its jurisdiction in each call's dedup scope,
// where the host reads it to keep the call's stored state in the EU (host-shims/durable/residency.mjs).
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

TEST_CASE("residency: an EU source's calls end their scope with :eu; another source's do not") {
  auto const cfg = make_config(R"({"sources":[
      {"writeKey":"wk-eu","residency":"eu","destinations":{"gist":{"apiKey":{"secret":"G"}},"capture":{}}},
      {"writeKey":"wk","destinations":{"gist":{"apiKey":{"secret":"G"}}}}]})");
  auto const eu = send_to(cfg, "POST", "/v1/t", {}, R"({"writeKey":"wk-eu","type":"track","event":"E","userId":"u"})");
  REQUIRE(eu.calls.size() == 2);
  for (auto const& c : eu.calls) {
    CHECK(c.scope.size() == c.destination.size() + 1 + 16 + 1 + 16 + 3);
    CHECK(c.scope.substr(c.scope.size() - 3) == ":eu");
  }
  auto const plain = send_to(cfg, "POST", "/v1/t", {}, R"({"writeKey":"wk","type":"track","event":"E","userId":"u"})");
  REQUIRE(plain.calls.size() == 1);
  CHECK(plain.calls[0].scope.size() == std::string("gist:").size() + 16 + 1 + 16);
  // Same account, same messageId: the EU source's key differs, as any other source's would.
  CHECK(eu.calls[0].scope.substr(0, 5) == plain.calls[0].scope.substr(0, 5));
  CHECK(eu.calls[0].scope != plain.calls[0].scope);
  CHECK(config_error_of(R"({"sources":[{"writeKey":"wk","residency":"us"}]})").find("sources[0].residency: \"eu\"") ==
        0);
  CHECK(config_error_of(R"({"sources":[{"writeKey":"wk","residency":true}]})").find("sources[0].residency") == 0);
}
