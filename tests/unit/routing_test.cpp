#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "route/facade_enabled.hpp"
#include "route/routing.hpp"

using namespace ajs;

namespace {
constexpr std::string_view px = "Gainsight Px Cloud (Actions)";

bool routed(std::string_view message, std::string_view name = px) {
  auto v = boost::json::parse(message);
  return facade_enabled(read_integrations(v.get_object()), name);
}
bool consented(std::string_view message, std::vector<std::string> categories) {
  auto v = boost::json::parse(message);
  return consent_allows(v.get_object(), categories);
}
}  // namespace

// segmentio-facade 3.2.7 Facade#enabled; tests/fidelity/integrations_routing.test.mjs runs facade
// itself over more.
TEST_CASE("routing: no integrations object sends everywhere") { CHECK(routed("{}")); }

TEST_CASE("routing: All defaults to true and All:false turns destinations off") {
  CHECK(routed(R"({"integrations":{"Segment.io":true}})"));
  CHECK(!routed(R"({"integrations":{"All":false}})"));
}

TEST_CASE("routing: a named destination wins over All, by its catalog name exactly") {
  CHECK(routed(R"j({"integrations":{"All":false,"Gainsight Px Cloud (Actions)":true}})j"));
  CHECK(routed(R"j({"integrations":{"All":false,"Gainsight Px Cloud (Actions)":{"x":1}}})j"));
  CHECK(!routed(R"j({"integrations":{"All":true,"Gainsight Px Cloud (Actions)":false}})j"));
  CHECK(
      !routed(R"j({"integrations":{"All":false,"Gainsight PX Cloud (Actions)":true}})j"));  // names are case-sensitive
  CHECK(routed(R"({"integrations":{"Gainsight PX":false}})"));  // another destination: the browser one
}

TEST_CASE("routing: `all` is matched obj-case style, the first boolean wins") {
  CHECK(!routed(R"({"integrations":{"all":false}})"));
  CHECK(!routed(R"({"integrations":{"ALL":false}})"));
  CHECK(!routed(R"({"integrations":{"a l l":false}})"));
  CHECK(!routed(R"({"integrations":{"all":false,"All":true}})"));
  CHECK(routed(R"({"integrations":{"all":"false"}})"));  // not a boolean: the default
}

TEST_CASE("routing: a named value that is not a boolean enables") {
  CHECK(routed(R"({"integrations":{"All":false,"Gainsight":null}})", "Gainsight"));
  CHECK(routed(R"({"integrations":{"All":false,"Gainsight":"false"}})", "Gainsight"));
  CHECK(routed(R"({"integrations":{"All":false,"Gainsight":0}})", "Gainsight"));
}

TEST_CASE("routing: providers, options and context, facade's older places for the same settings") {
  CHECK(!routed(R"({"integrations":{"providers":{"Gainsight":false}}})", "Gainsight"));
  CHECK(routed(R"({"integrations":{"All":false,"providers":{"Gainsight":"yes"}}})", "Gainsight"));
  CHECK(!routed(R"({"context":{"All":false}})", "Gainsight"));
  CHECK(!routed(R"({"context":{"Gainsight":false}})", "Gainsight"));
  CHECK(routed(R"({"context":{"Gainsight":false},"integrations":{}})", "Gainsight"));  // integrations wins
  CHECK(!routed(R"({"context":{"all":false},"integrations":{}})", "Gainsight"));       // but not for `all`
  CHECK(!routed(R"({"options":{"Gainsight":false}})", "Gainsight"));
  CHECK(!routed(R"({"options":{"providers":{"all":false}}})", "Gainsight"));
  CHECK(routed(R"({"options":{"providers":{"all":false}},"integrations":{"Gainsight":true}})", "Gainsight"));
  CHECK(routed(R"({"integrations":"none","context":{"Gainsight":false}})", "Gainsight"));  // a truthy non-object
}

TEST_CASE("routing: consent absent lets everything through") {
  CHECK(consented("{}", {"C0001"}));
  CHECK(consented(R"({"context":{}})", {"C0001"}));
}

TEST_CASE("routing: a destination needs all of its categories granted") {
  auto const msg = R"({"context":{"consent":{"categoryPreferences":{"C0001":true,"C0002":false}}}})";
  CHECK(consented(msg, {"C0001"}));
  CHECK(!consented(msg, {"C0001", "C0002"}));
  CHECK(!consented(msg, {"C0003"}));
}

TEST_CASE("routing: empty preferences grant nothing, unmapped destinations still receive") {
  auto const msg = R"({"context":{"consent":{"categoryPreferences":{}}}})";
  CHECK(!consented(msg, {"C0001"}));
  CHECK(consented(msg, {}));
}
