#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "route/routing.hpp"

using namespace ajs;

namespace {
result<std::unique_ptr<destination>> make_none(settings_reader const&) { return std::unique_ptr<destination>(); }
destination_kind const px{"gainsightPx", {"Gainsight PX", "Gainsight PX Cloud (Actions)"}, make_none};

bool routed(std::string_view message) {
  auto v = boost::json::parse(message);
  return integrations_allow(v.get_object(), px);
}
bool consented(std::string_view message, std::vector<std::string> categories) {
  auto v = boost::json::parse(message);
  return consent_allows(v.get_object(), categories);
}
}  // namespace

TEST_CASE("routing: no integrations object sends everywhere") { CHECK(routed("{}")); }

TEST_CASE("routing: All defaults to true and All:false turns destinations off") {
  CHECK(routed(R"({"integrations":{"Segment.io":true}})"));
  CHECK(!routed(R"({"integrations":{"All":false}})"));
}

TEST_CASE("routing: a named destination wins over All, by any of its names") {
  CHECK(routed(R"({"integrations":{"All":false,"Gainsight PX":true}})"));
  CHECK(routed(R"j({"integrations":{"All":false,"Gainsight PX Cloud (Actions)":{"x":1}}})j"));
  CHECK(!routed(R"({"integrations":{"All":true,"Gainsight PX":false}})"));
}

TEST_CASE("routing: names are case-sensitive") {
  CHECK(!routed(R"({"integrations":{"All":false,"gainsight px":true}})"));
  CHECK(routed(R"({"integrations":{"gainsight px":false}})"));
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
