// Gainsight PX: the whole Segment event to PX's Segment ingest in the configured data center,
// as Segment's "Gainsight PX Cloud (Actions)" sends it.
#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "gainsight_seeds.hpp"
#include "plan_fixture.hpp"

namespace {

using namespace ajs;
using namespace ajs::test;

constexpr char const* api_key = R"({"secret":"GAINSIGHT_PX_API_KEY"})";

std::string config_with(std::string const& settings) { return one_destination_config("gainsightPx", settings); }

config px_config(std::string const& extra_settings = "") {
  std::string settings = std::string(R"("apiKey":)") + api_key;
  if (!extra_settings.empty()) settings += "," + extra_settings;
  return make_config(config_with(settings));
}

std::string config_error(std::string const& settings) { return config_error_of(config_with(settings)); }

request single(std::string const& path, std::string const& fields) { return analytics_js_call(path, fields); }

request identify_123(std::string const& more = "") { return single("i", R"("userId":"123")" + more); }

using namespace ajs::test::gainsight_seeds;

void check_px_call(call const& c, std::string const& url) {
  CHECK(c.destination == "gainsightPx");
  CHECK(c.method == "POST");
  CHECK(c.url == url);
  REQUIRE(c.headers.size() == 3);
  CHECK(c.headers[0].name == "Authorization");
  CHECK(c.headers[0].value == "");
  CHECK(c.headers[0].secret == "GAINSIGHT_PX_API_KEY");
  CHECK(c.headers[0].format == secret_format::basic_username);
  CHECK(c.headers[1].name == "Content-Type");
  CHECK(c.headers[1].value == "application/json");
  CHECK(c.headers[1].format == secret_format::none);
  CHECK(c.headers[2].name == "User-Agent");  // @segment/actions-core's, on every Actions request
  CHECK(c.headers[2].value == "Segment (Actions)");
  CHECK(c.message_id == "ajs-next-1");
  CHECK(c.order_key == "123");
}

std::string const north_america_url = "https://segment-esp.aptrinsic.com/rte/segmentio/v1/push";

std::string url_for_region(std::string const& region) {
  auto o = run(px_config(R"("region":")" + region + R"(")"), identify_123());
  REQUIRE(o.calls.size() == 1);
  return o.calls[0].url;
}

}  // namespace

// --- The three examples of Segment's Gainsight page, sent to PX --------------------------------

TEST_CASE("gainsight px: identify from the docs is pushed whole to the North America ingest") {
  auto o = run(px_config(), single("i", seed_identify));
  CHECK(o.status == 200);
  CHECK(o.body == R"({"success":true})");
  REQUIRE(o.calls.size() == 1);
  check_px_call(o.calls[0], north_america_url);
  CHECK(o.calls[0].json() == boost::json::parse(expected_identify));
  CHECK(o.notes.empty());
}

TEST_CASE("gainsight px: track from the docs is pushed whole") {
  auto o = run(px_config(), single("t", seed_track));
  REQUIRE(o.calls.size() == 1);
  check_px_call(o.calls[0], north_america_url);
  CHECK(o.calls[0].json() == boost::json::parse(expected_track));
}

TEST_CASE("gainsight px: group from the docs is pushed whole") {
  auto o = run(px_config(), single("g", seed_group));
  REQUIRE(o.calls.size() == 1);
  check_px_call(o.calls[0], north_america_url);
  CHECK(o.calls[0].json() == boost::json::parse(expected_group));
}

// --- Call types ---------------------------------------------------------------------------------

TEST_CASE("gainsight px: page is pushed whole") {
  auto o = run(px_config(), single("p", R"("userId":"123","name":"Home","properties":{"path":"/"})"));
  REQUIRE(o.calls.size() == 1);
  check_px_call(o.calls[0], north_america_url);
  CHECK(o.calls[0].json() == boost::json::parse(R"({
      "type": "page", "userId": "123", "name": "Home", "properties": {"path": "/"},
      "messageId": "ajs-next-1", "sentAt": "2026-08-01T10:00:00.000Z",
      "context": {"library": {"name": "analytics.js"}, "ip": "10.0.0.1"},
      "timestamp": "2026-08-01T09:59:59.500Z", "originalTimestamp": "2026-08-01T09:59:59.000Z",
      "receivedAt": "2026-08-01T10:00:00.500Z", "channel": "client", "version": 2})"));
}

TEST_CASE("gainsight px: screen is not sent, and is noted as skipped") {
  auto o = run(px_config(), single("s", R"("userId":"123","name":"Home")"));
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsightPx ajs-next-1 gainsightPx.unsupported_type"});
}

TEST_CASE("gainsight px: alias is not sent, and is noted as skipped") {
  auto o = run(px_config(), single("a", R"("userId":"123","previousId":"anon-1")"));
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsightPx ajs-next-1 gainsightPx.unsupported_type"});
}

// --- Regions -----------------------------------------------------------------------------------

TEST_CASE("gainsight px: region north_america uses segment-esp.aptrinsic.com") {
  CHECK(url_for_region("north_america") == "https://segment-esp.aptrinsic.com/rte/segmentio/v1/push");
}

TEST_CASE("gainsight px: region europe uses segment-esp-eu.aptrinsic.com") {
  CHECK(url_for_region("europe") == "https://segment-esp-eu.aptrinsic.com/rte/segmentio/v1/push");
}

TEST_CASE("gainsight px: region us2 uses segment-esp-us2.aptrinsic.com") {
  CHECK(url_for_region("us2") == "https://segment-esp-us2.aptrinsic.com/rte/segmentio/v1/push");
}

TEST_CASE("gainsight px: endpoint replaces the region's host, the path stays PX's") {
  auto o = run(px_config(R"("region":"europe","endpoint":"https://127.0.0.1:9000")"), identify_123());
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].url == "https://127.0.0.1:9000/rte/segmentio/v1/push");
}

// --- Settings ----------------------------------------------------------------------------------

TEST_CASE("gainsight px: an unknown region is refused, naming the allowed ones") {
  CHECK(config_error(std::string(R"("apiKey":)") + api_key + R"(,"region":"eu")") ==
        R"(sources[0].destinations.gainsightPx.region: unknown region "eu" (allowed: north_america, europe, us2))");
}

TEST_CASE("gainsight px: a region that is not a string is refused") {
  CHECK(config_error(std::string(R"("apiKey":)") + api_key + R"(,"region":2)") ==
        "sources[0].destinations.gainsightPx.region: must be a string");
}

TEST_CASE("gainsight px: the API key is declared as a secret without a pattern") {
  auto const cfg = px_config();
  REQUIRE(cfg.secrets.size() == 1);
  CHECK(cfg.secrets[0].binding == "GAINSIGHT_PX_API_KEY");
  CHECK(cfg.secrets[0].field == "sources[0].destinations.gainsightPx.apiKey");
  CHECK(cfg.secrets[0].pattern == "");
}

TEST_CASE("gainsight px: a literal API key in the config is refused") {
  CHECK(config_error(R"("apiKey":"AP-XXXXXXXXXX-2")") ==
        R"(sources[0].destinations.gainsightPx.apiKey: must be {"secret": "BINDING_NAME"} naming a Worker secret; )"
        "credentials are never written in the config");
}

TEST_CASE("gainsight px: the API key is required") {
  CHECK(config_error(R"("region":"europe")") ==
        R"(sources[0].destinations.gainsightPx.apiKey: required, as {"secret": "BINDING_NAME"})");
}

TEST_CASE("gainsight px: an unknown setting is refused, naming the known ones") {
  CHECK(config_error(std::string(R"("apiKey":)") + api_key + R"(,"dataCenter":"europe")") ==
        "sources[0].destinations.gainsightPx.dataCenter: unknown setting "
        "(known: apiKey, region, endpoint, consentCategories)");
}

// --- integrations object -----------------------------------------------------------------------

// The catalog name of the Actions destination is "Gainsight Px Cloud (Actions)", lower-case x
// (@segment/action-destinations gainsight-px-cloud-action); "Gainsight PX" is another destination.
TEST_CASE("gainsight px: integrations {\"All\": false, \"Gainsight Px Cloud (Actions)\": true} sends it") {
  auto o = run(px_config(), identify_123(R"j(,"integrations":{"All":false,"Gainsight Px Cloud (Actions)":true})j"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight px: integrations {\"All\": false, \"Gainsight Px Cloud (Actions)\": {}} sends it") {
  auto o = run(px_config(), identify_123(R"j(,"integrations":{"All":false,"Gainsight Px Cloud (Actions)":{}})j"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight px: integrations {\"Gainsight Px Cloud (Actions)\": false} keeps the message away") {
  auto o = run(px_config(), identify_123(R"j(,"integrations":{"Gainsight Px Cloud (Actions)":false})j"));
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsightPx ajs-next-1 integrations"});
}

TEST_CASE("gainsight px: other names do not name it: {\"All\": false, \"Gainsight PX\": true} keeps it away") {
  CHECK(run(px_config(), identify_123(R"(,"integrations":{"All":false,"Gainsight PX":true})")).calls.empty());
  CHECK(run(px_config(), identify_123(R"j(,"integrations":{"Gainsight PX Cloud (Actions)":false})j")).calls.size() ==
        1);
}

TEST_CASE("gainsight px: integrations {\"All\": false} keeps the message away") {
  auto o = run(px_config(), identify_123(R"(,"integrations":{"All":false})"));
  CHECK(o.calls.empty());
}

TEST_CASE("gainsight px: integration names are case-sensitive") {
  auto o = run(px_config(), identify_123(R"(,"integrations":{"All":false,"gainsight px":true})"));
  CHECK(o.calls.empty());
}

TEST_CASE("gainsight px: integrations {\"Gainsight\": false} concerns only the classic destination") {
  auto o = run(px_config(), identify_123(R"(,"integrations":{"Gainsight":false})"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight px: either of its names enabled sends it") {
  auto o =
      run(px_config(), identify_123(R"j(,"integrations":{"Gainsight PX":false,"Gainsight PX Cloud (Actions)":true})j"));
  CHECK(o.calls.size() == 1);
}

// --- With the classic destination --------------------------------------------------------------

TEST_CASE("gainsight px: classic and PX send the same bytes of one message") {
  auto const cfg = make_config(std::string(R"({"sources":[{"writeKey":"wk","destinations":{)") +
                               R"("gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"}},)" +
                               R"("gainsightPx":{"apiKey":)" + api_key + R"(,"region":"us2"}}}]})");
  auto o = run(cfg, single("t", R"("userId":"123","event":"Account Created")"));
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].url == "https://event.gainsight.com/clickstream/segmentio/event");
  CHECK(o.calls[1].url == "https://segment-esp-us2.aptrinsic.com/rte/segmentio/v1/push");
  CHECK(o.calls[0].body == o.calls[1].body);
}
