// Gainsight (classic, Customer Success): what Segment's destination page promised, request by
// request. Bodies are compared as JSON values: the Segment message after ingest normalization.
#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "destinations/gainsight/no_case.hpp"
#include "gainsight_seeds.hpp"
#include "plan_fixture.hpp"

namespace {

using namespace ajs;
using namespace ajs::test;

constexpr char const* access_key = R"({"secret":"GAINSIGHT_ACCESS_KEY"})";

std::string config_with(std::string const& settings) { return one_destination_config("gainsight", settings); }

config gainsight_config(std::string const& extra_settings = "") {
  std::string settings = std::string(R"("accessKey":)") + access_key;
  if (!extra_settings.empty()) settings += "," + extra_settings;
  return make_config(config_with(settings));
}

std::string config_error(std::string const& settings) { return config_error_of(config_with(settings)); }

request single(std::string const& path, std::string const& fields) { return analytics_js_call(path, fields); }

request track_named(std::string const& event) { return single("t", R"("userId":"123","event":")" + event + R"(")"); }

using namespace ajs::test::gainsight_seeds;

// A top-level string of a planned body ("" when absent): tests read bodies without at().
std::string body_string(call const& c, char const* key) {
  auto const v = c.json();
  auto const* o = v.if_object();
  auto const* f = o ? o->if_contains(key) : nullptr;
  auto const* s = f ? f->if_string() : nullptr;
  return s ? std::string(*s) : std::string();
}

void check_gainsight_call(call const& c) {
  CHECK(c.destination == "gainsight");
  CHECK(c.method == "POST");
  CHECK(c.url == "https://event.gainsight.com/clickstream/segmentio/event");
  REQUIRE(c.headers.size() == 3);
  CHECK(c.headers[0].name == "accessKey");
  CHECK(c.headers[0].value == "");
  CHECK(c.headers[0].secret == "GAINSIGHT_ACCESS_KEY");
  CHECK(c.headers[0].format == secret_format::raw);
  CHECK(c.headers[1].name == "Content-Type");
  CHECK(c.headers[1].value == "application/json");
  CHECK(c.headers[1].format == secret_format::none);
  CHECK(c.headers[2].name == "User-Agent");  // segmentio-integration's, on every classic request
  CHECK(c.headers[2].value == "Segment.io/1.0");
  CHECK(c.message_id == "ajs-next-1");
  CHECK(c.order_key == "123");
}

}  // namespace

// --- The three examples of Segment's Gainsight page --------------------------------------------

TEST_CASE("gainsight: identify from the docs is posted as received, accountId untouched") {
  auto o = run(gainsight_config(), single("i", seed_identify));
  CHECK(o.status == 200);
  CHECK(o.body == R"({"success":true})");
  REQUIRE(o.calls.size() == 1);
  check_gainsight_call(o.calls[0]);
  CHECK(o.calls[0].json() == boost::json::parse(expected_identify));
  CHECK(o.notes.empty());
}

TEST_CASE("gainsight: track from the docs is posted as received, properties.accountId untouched") {
  auto o = run(gainsight_config(), single("t", seed_track));
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 1);
  check_gainsight_call(o.calls[0]);
  CHECK(o.calls[0].json() == boost::json::parse(expected_track));
}

TEST_CASE("gainsight: group from the docs is posted as received, groupId untouched") {
  auto o = run(gainsight_config(), single("g", seed_group));
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 1);
  check_gainsight_call(o.calls[0]);
  CHECK(o.calls[0].json() == boost::json::parse(expected_group));
}

// --- Call types the connector does not take ---------------------------------------------------

TEST_CASE("gainsight: page is not sent, and is noted as skipped") {
  auto o = run(gainsight_config(), single("p", R"("userId":"123","name":"Home")"));
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight ajs-next-1 gainsight.unsupported_type"});
}

TEST_CASE("gainsight: screen is not sent, and is noted as skipped") {
  auto o = run(gainsight_config(), single("s", R"("userId":"123","name":"Home")"));
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight ajs-next-1 gainsight.unsupported_type"});
}

TEST_CASE("gainsight: alias is not sent, and is noted as skipped") {
  auto o = run(gainsight_config(), single("a", R"("userId":"123","previousId":"anon-1")"));
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight ajs-next-1 gainsight.unsupported_type"});
}

// --- Whitelist Track Events --------------------------------------------------------------------

TEST_CASE("gainsight: an empty whitelist sends every track") {
  auto o = run(gainsight_config(R"("whitelistTrackEvents":[])"), track_named("Anything At All"));
  REQUIRE(o.calls.size() == 1);
  CHECK(body_string(o.calls[0], "event") == "Anything At All");
}

TEST_CASE("gainsight: a whitelisted name matches its four spellings") {
  auto const cfg = gainsight_config(R"("whitelistTrackEvents":["Order Completed"])");
  for (auto const* name : {"Order Completed", "order_completed", "orderCompleted", "ORDER COMPLETED"}) {
    CAPTURE(name);
    auto o = run(cfg, track_named(name));
    REQUIRE(o.calls.size() == 1);
    CHECK(body_string(o.calls[0], "event") == name);  // the name goes out as the client wrote it
    CHECK(o.notes.empty());
  }
}

TEST_CASE("gainsight: whitelist entries in any of the four spellings match the event") {
  for (auto const* entry : {"Order Completed", "order_completed", "orderCompleted", "ORDER COMPLETED"}) {
    CAPTURE(entry);
    auto o = run(gainsight_config(std::string(R"("whitelistTrackEvents":[")") + entry + R"("])"),
                 track_named("Order Completed"));
    CHECK(o.calls.size() == 1);
  }
}

TEST_CASE("gainsight: a whitelisted name with whitespace is only lower-cased") {
  auto const cfg = gainsight_config(R"("whitelistTrackEvents":["Order-Completed v2"])");
  CHECK(run(cfg, track_named("order-completed V2")).calls.size() == 1);
  CHECK(run(cfg, track_named("order_completed_v2")).calls.empty());
  CHECK(run(cfg, track_named("Order Completed v2")).calls.empty());
}

TEST_CASE("gainsight: a track not in the whitelist is dropped silently, the client told success") {
  auto o =
      run(gainsight_config(R"("whitelistTrackEvents":["Order Completed","Signed Up"])"), track_named("Product Viewed"));
  CHECK(o.status == 200);
  CHECK(o.body == R"({"success":true})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight ajs-next-1 gainsight.not_in_whitelist"});
}

TEST_CASE("gainsight: the whitelist does not filter identify or group") {
  auto const cfg = gainsight_config(R"("whitelistTrackEvents":["Order Completed"])");
  CHECK(run(cfg, single("i", R"("userId":"123")")).calls.size() == 1);
  CHECK(run(cfg, single("g", R"("userId":"123","groupId":"555")")).calls.size() == 1);
}

// to-no-case 0.1.3's own test suite, plus the cases where it differs from later versions.
TEST_CASE("gainsight: to-no-case removes a case as to-no-case 0.1.3 did") {
  struct example {
    char const* in;
    char const* out;
  };
  example const examples[] = {
      {"this is a string", "this is a string"},    // space
      {"thisIsAString", "this is a string"},       // camel
      {"THIS_IS_A_STRING", "this is a string"},    // constant
      {"ThisIsAString", "this is a string"},       // pascal
      {"AStringIsThis", "a string is this"},       // pascal, one-letter first word
      {"AString", "a string"},                     //
      {"this-is-a-string", "this is a string"},    // slug
      {"this_is_a_string", "this is a string"},    // snake
      {"This is a string.", "this is a string."},  // sentence: has a space, so only lower-cased
      {"This: Is a String", "this: is a string"},  // title: likewise
      {"ارژنگ", "ارژنگ"},                          // only separators (non-ASCII): the text itself
      {"ABTest", "a b test"},                      // 0.1.3 spaces an upper-case run apart
      {"ORDERS", "o r d e r s"},                   // ... even a whole word (1.x keeps "orders")
      {"order.completed", "order completed"},      //
      {"_private__name_", " private name"},        // a leading run becomes a space, a trailing one goes
      {"Café_Ordered", "caf ordered"},             // non-ASCII letters are separators
      {"Ölçüm Başladı", "ölçüm başladı"},          // with a space: lower-cased beyond ASCII
      {"ÉTÉ\xC2\xA0Été", "été\xC2\xA0été"},        // U+00A0 is whitespace to JavaScript
      {"ORDER COMPLETED", "order completed"},      //
      {"order2Ship", "order2 ship"},               //
  };
  for (auto const& e : examples) {
    CAPTURE(e.in);
    CHECK(to_no_case(e.in) == e.out);
  }
}

TEST_CASE("gainsight: to-no-case splits on every ASCII byte outside [A-Za-z0-9], and on nothing else") {
  for (int b = 0x21; b < 0x7F; ++b) {
    char const c = static_cast<char>(b);
    bool const lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z', digit = c >= '0' && c <= '9';
    std::string const expected = upper            ? std::string("a ") + static_cast<char>(c - 'A' + 'a') + "b"
                                 : lower || digit ? std::string("a") + c + "b"
                                                  : std::string("a b");
    CHECK_MESSAGE(to_no_case(std::string("a") + c + "b") == expected, "byte " << b);
  }
}

// --- Settings ----------------------------------------------------------------------------------

TEST_CASE("gainsight: endpoint replaces the host, the path stays Gainsight's") {
  auto o = run(gainsight_config(R"("endpoint":"https://127.0.0.1:8787/")"), single("i", R"("userId":"123")"));
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].url == "https://127.0.0.1:8787/clickstream/segmentio/event");
}

TEST_CASE("gainsight: the access key is declared for the host to check against Segment's pattern") {
  auto const cfg = gainsight_config();
  REQUIRE(cfg.secrets.size() == 1);
  CHECK(cfg.secrets[0].binding == "GAINSIGHT_ACCESS_KEY");
  CHECK(cfg.secrets[0].field == "sources[0].destinations.gainsight.accessKey");
  CHECK(cfg.secrets[0].pattern == "^[a-z0-9-]{36}$");
}

TEST_CASE("gainsight: a literal access key in the config is refused") {
  CHECK(config_error(R"("accessKey":"35a84f9e-7084-47a1-b8a5-593444e9e862")") ==
        R"(sources[0].destinations.gainsight.accessKey: must be {"secret": "BINDING_NAME"} naming a Worker secret; )"
        "credentials are never written in the config");
}

TEST_CASE("gainsight: the access key is required") {
  CHECK(config_error(R"("whitelistTrackEvents":[])") ==
        R"(sources[0].destinations.gainsight.accessKey: required, as {"secret": "BINDING_NAME"})");
}

TEST_CASE("gainsight: an unknown setting is refused, naming the known ones") {
  CHECK(config_error(std::string(R"("accessKey":)") + access_key + R"(,"whitelist":["A"])") ==
        "sources[0].destinations.gainsight.whitelist: unknown setting "
        "(known: accessKey, whitelistTrackEvents, endpoint, consentCategories)");
}

TEST_CASE("gainsight: whitelistTrackEvents must be a list of names") {
  CHECK(config_error(std::string(R"("accessKey":)") + access_key + R"(,"whitelistTrackEvents":"Order Completed")") ==
        "sources[0].destinations.gainsight.whitelistTrackEvents: must be a list of strings");
}

TEST_CASE("gainsight: an empty whitelist entry is refused") {
  CHECK(config_error(std::string(R"("accessKey":)") + access_key + R"(,"whitelistTrackEvents":["A",""])") ==
        "sources[0].destinations.gainsight.whitelistTrackEvents[1]: must not be empty (an event name)");
  CHECK(config_error(std::string(R"("accessKey":)") + access_key + R"(,"whitelistTrackEvents":[""])") ==
        "sources[0].destinations.gainsight.whitelistTrackEvents[0]: must not be empty (an event name)");
}

TEST_CASE("gainsight: an endpoint that is not an http(s) URL is refused") {
  CHECK(config_error(std::string(R"("accessKey":)") + access_key + R"(,"endpoint":"event.gainsight.com")") ==
        "sources[0].destinations.gainsight.endpoint: must be an https:// URL");
}

// --- integrations object -----------------------------------------------------------------------

TEST_CASE("gainsight: integrations {\"Gainsight\": false} keeps the message away") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"Gainsight":false})"));
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight ajs-next-1 integrations"});
}

TEST_CASE("gainsight: integrations {\"All\": false} keeps the message away") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"All":false})"));
  CHECK(o.calls.empty());
}

TEST_CASE("gainsight: integrations {\"All\": false, \"Gainsight\": true} sends it") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"All":false,"Gainsight":true})"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight: integration names are case-sensitive") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"gainsight":false})"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight: an object value in integrations counts as enabled") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"All":false,"Gainsight":{}})"));
  CHECK(o.calls.size() == 1);
}

TEST_CASE("gainsight: integrations for Gainsight PX do not reach the classic destination") {
  auto o = run(gainsight_config(), single("i", R"("userId":"123","integrations":{"All":false,"Gainsight PX":true})"));
  CHECK(o.calls.empty());
}

// --- Batches -----------------------------------------------------------------------------------

TEST_CASE("gainsight: each message of a batch is its own request, in order") {
  auto o = run(gainsight_config(), request{"POST",
                                           "https://edge.example.com/v1/batch",
                                           {},
                                           R"({"writeKey":"wk","batch":[)"
                                           R"({"type":"identify","userId":"u1","messageId":"m1"},)"
                                           R"({"type":"page","userId":"u1","messageId":"m2"},)"
                                           R"({"type":"track","userId":"u2","event":"Signed Up","messageId":"m3"}]})"});
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].message_id == "m1");
  CHECK(o.calls[0].order_key == "u1");
  CHECK(body_string(o.calls[0], "type") == "identify");
  CHECK(o.calls[1].message_id == "m3");
  CHECK(o.calls[1].order_key == "u2");
  CHECK(body_string(o.calls[1], "event") == "Signed Up");
  CHECK(o.notes == std::vector<std::string>{"skipped gainsight m2 gainsight.unsupported_type"});
}
