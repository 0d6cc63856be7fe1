// Issue #17: geo rules pick a destination's instance by where the visitor is; a source's IP policy
// and location enrichment change the message before any destination sees it.
#include <doctest/doctest.h>

#include "http/request_meta.hpp"
#include "ingest/ip_address.hpp"
#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

constexpr char const* eu_visitor =
    R"({"continent":"EU","country":"DE","region":"Bavaria","regionCode":"BY","city":"Munich","postalCode":"80331",
        "timezone":"Europe/Berlin","latitude":"48.13743","longitude":"11.57549","isEUCountry":true})";
constexpr char const* us_visitor =
    R"({"continent":"NA","country":"US","region":"Texas","city":"Austin","timezone":"America/Chicago",
        "latitude":"30.27","longitude":"-97.74","isEUCountry":false})";
constexpr char const* ch_visitor = R"({"continent":"EU","country":"CH","city":"Zurich","isEUCountry":false})";

// PX: the US product by default; EU visitors to the EU product with its own key; Swiss ones to a
// third key, listed first.
config px_by_region() {
  return make_config(R"({"sources":[{"writeKey":"wk","destinations":{"gainsightPx":{
      "apiKey":{"secret":"PX_US"},"region":"north_america",
      "geo":[{"when":{"country":["CH"]},"use":{"apiKey":{"secret":"PX_CH"},"region":"europe"}},
             {"when":{"isEUCountry":true},"use":{"apiKey":{"secret":"PX_EU"},"region":"europe"}}]}}}]})");
}

outcome track_from(config const& cfg, char const* geo) {
  auto r = analytics_js_call("t", R"("type":"track","event":"E","userId":"u")");
  r.geo = geo ? geo : "";
  return run(cfg, r);
}

std::string secret_of(call const& c) {
  for (auto const& h : c.headers)
    if (!h.secret.empty()) return h.secret;
  return "";
}

}  // namespace

TEST_CASE("masked_ip: IPv4 to its /24, IPv6 to its /48 in RFC 5952 form; anything else is no address") {
  CHECK(masked_ip("203.0.113.7") == "203.0.113.0");
  CHECK(masked_ip("10.0.0.255") == "10.0.0.0");
  CHECK(masked_ip("2001:db8:85a3:8d3:1319:8a2e:370:7348") == "2001:db8:85a3::");
  CHECK(masked_ip("2001:DB8:0:0:1::1") == "2001:db8::");
  CHECK(masked_ip("2001:0db8:0000:1::") == "2001:db8::");
  CHECK(masked_ip("fe80::1%eth0") == "fe80::");
  CHECK(masked_ip("::1") == "::");
  CHECK(masked_ip("::ffff:203.0.113.7") == "::");
  CHECK(masked_ip("64:ff9b:1::203.0.113.7") == "64:ff9b:1::");
  for (auto bad : {"", "203.0.113", "203.0.113.256", "1.2.3.4.5", "1..2.3", "a.b.c.d", "2001:db8::1::2",
                   "1:2:3:4:5:6:7:8:9", "12345::", "x:y::", "\"><img>", "203.0.113.07000"})
    CHECK_MESSAGE(!masked_ip(bad), bad);
}

TEST_CASE("request meta: the edge's geo facts are read, long values left out") {
  request r;
  r.geo = eu_visitor;
  auto m = read_request_meta(meta_bytes(r));
  REQUIRE(m.has_value());
  CHECK(m->geo.continent == "EU");
  CHECK(m->geo.country == "DE");
  CHECK(m->geo.region_code == "BY");
  CHECK(m->geo.city == "Munich");
  CHECK(m->geo.timezone == "Europe/Berlin");
  CHECK(m->geo.latitude == "48.13743");
  CHECK(m->geo.is_eu_country);
  r.geo = R"({"city":")" + std::string(101, 'x') + R"(","country":")" + std::string(100, 'y') + R"("})";
  auto none = read_request_meta(meta_bytes(r));
  REQUIRE(none.has_value());
  CHECK(none->geo.city.empty());
  CHECK(none->geo.country == std::string(100, 'y'));
  CHECK_FALSE(none->geo.is_eu_country);
}

TEST_CASE("geo rules: the first matching rule picks the instance; no match and no geo pick the destination's own") {
  auto const cfg = px_by_region();
  auto const eu = track_from(cfg, eu_visitor);
  auto const us = track_from(cfg, us_visitor);
  auto const ch = track_from(cfg, ch_visitor);
  auto const unknown = track_from(cfg, nullptr);
  for (auto const* o : {&eu, &us, &ch, &unknown}) REQUIRE(o->calls.size() == 1);
  CHECK(secret_of(eu.calls[0]) == "PX_EU");
  CHECK(eu.calls[0].url == "https://segment-esp-eu.aptrinsic.com/rte/segmentio/v1/push");
  CHECK(secret_of(ch.calls[0]) == "PX_CH");
  CHECK(secret_of(us.calls[0]) == "PX_US");
  CHECK(us.calls[0].url == "https://segment-esp.aptrinsic.com/rte/segmentio/v1/push");
  CHECK(secret_of(unknown.calls[0]) == "PX_US");
  // Each account is its own dedup scope; the body is the same message wherever it goes.
  CHECK(eu.calls[0].scope != us.calls[0].scope);
  CHECK(eu.calls[0].scope != ch.calls[0].scope);
  CHECK(us.calls[0].scope == unknown.calls[0].scope);
  CHECK(eu.calls[0].body == us.calls[0].body);
  // Every secret a rule names is checked at load, each once.
  std::vector<std::string> bindings;
  for (auto const& s : cfg.secrets) bindings.push_back(s.binding);
  CHECK(bindings == std::vector<std::string>{"PX_US", "PX_CH", "PX_EU"});
}

TEST_CASE("geo rules: continent and country lists, all conditions of a rule together") {
  auto const cfg = make_config(R"({"sources":[{"writeKey":"wk","destinations":{"gist":{"apiKey":{"secret":"GIST"},
      "geo":[{"when":{"continent":["EU","AS"],"country":["DE","JP"]},"use":{"apiKey":{"secret":"GIST_DE_JP"}}},
             {"when":{"continent":["NA"]},"use":{"endpoint":"https://gist-us.example"}}]}}}]})");
  CHECK(secret_of(track_from(cfg, eu_visitor).calls[0]) == "GIST_DE_JP");
  CHECK(secret_of(track_from(cfg, ch_visitor).calls[0]) == "GIST");  // EU but not DE or JP
  auto const us = track_from(cfg, us_visitor);
  CHECK(us.calls[0].url.rfind("https://gist-us.example/", 0) == 0);
  CHECK(secret_of(us.calls[0]) == "GIST");
}

TEST_CASE("geo rules: a malformed rule names its field") {
  auto const error = [](std::string const& rules) {
    return config_error_of(
        R"({"sources":[{"writeKey":"wk","destinations":{"gainsightPx":{"apiKey":{"secret":"K"},"geo":)" + rules +
        "}}}]}");
  };
  CHECK(error("{}") == "sources[0].destinations.gainsightPx.geo: must be a list of rules");
  CHECK(error("[1]").find("sources[0].destinations.gainsightPx.geo[0]: must be") == 0);
  CHECK(error(R"([{"use":{}}])") == "sources[0].destinations.gainsightPx.geo[0].when: required");
  CHECK(error(R"([{"when":{"continent":["EU"]}}])").find("sources[0].destinations.gainsightPx.geo[0].use: required") ==
        0);
  CHECK(
      error(R"([{"when":{},"use":{}}])").find("sources[0].destinations.gainsightPx.geo[0].when: names no condition") ==
      0);
  CHECK(error(R"([{"when":{"continent":["Europe"]},"use":{}}])")
            .find("sources[0].destinations.gainsightPx.geo[0].when.continent: \"Europe\" is not a continent code") ==
        0);
  CHECK(error(R"([{"when":{"country":["de"]},"use":{}}])")
            .find("sources[0].destinations.gainsightPx.geo[0].when.country: \"de\" is not an ISO") == 0);
  CHECK(error(R"([{"when":{"city":["Paris"]},"use":{}}])").find("sources[0].destinations.gainsightPx.geo[0].when") ==
        0);
  CHECK(error(R"([{"when":{"isEUCountry":true},"use":{"region":"mars"}}])")
            .find("sources[0].destinations.gainsightPx.geo[0].use.region") == 0);
  CHECK(error(R"([{"when":{"isEUCountry":true},"use":{"geo":[]}}])") ==
        "sources[0].destinations.gainsightPx.geo[0].use.geo: set on the destination, not per rule");
  CHECK(error(R"([{"when":{"isEUCountry":true},"use":{"apiKey":"inline"}}])")
            .find("sources[0].destinations.gainsightPx.geo[0].use.apiKey") == 0);
}

TEST_CASE("enrichLocation: context.location and context.timezone from the edge, where the client sent none") {
  auto const cfg =
      make_config(R"({"sources":[{"writeKey":"wk","enrichLocation":true,"destinations":{"capture":{}}}]})");
  auto const eu = track_from(cfg, eu_visitor);
  REQUIRE(eu.calls.size() == 1);
  auto const ctx = eu.calls[0].json().at("context").as_object();
  CHECK(boost::json::serialize(ctx.at("location")) ==
        R"({"city":"Munich","country":"DE","region":"Bavaria","latitude":4.813743E1,"longitude":1.157549E1})");
  CHECK(
      eu.calls[0].body.find(
          R"("location":{"city":"Munich","country":"DE","region":"Bavaria","latitude":48.13743,"longitude":11.57549})") !=
      std::string::npos);
  CHECK(ctx.at("timezone") == "Europe/Berlin");
  // The client's own values win; a location that is not an object is left alone.
  auto r = analytics_js_call(
      "t",
      R"("type":"track","event":"E","userId":"u","context":{"library":{"name":"analytics.js"},"timezone":"UTC","location":{"city":"Paris"}})");
  r.geo = eu_visitor;
  auto const own = run(cfg, r).calls[0].json().at("context").as_object();
  CHECK(own.at("timezone") == "UTC");
  CHECK(own.at("location").at("city") == "Paris");
  CHECK(own.at("location").at("country") == "DE");
  // Off by default, and nothing without geo facts.
  auto const plain = make_config(R"({"sources":[{"writeKey":"wk","destinations":{"capture":{}}}]})");
  CHECK(track_from(plain, eu_visitor).calls[0].body.find("location") == std::string::npos);
  CHECK(track_from(cfg, nullptr).calls[0].body.find("location") == std::string::npos);
}

TEST_CASE(
    "ipAddress: full keeps context.ip, masked cuts it to its network, none removes it; Gist's last_seen_ip follows") {
  auto const for_policy = [](std::string const& policy, std::string const& ip_json) {
    auto cfg = make_config(R"({"sources":[{"writeKey":"wk","ipAddress":")" + policy +
                           R"(","destinations":{"capture":{},"gist":{"apiKey":{"secret":"G"}}}}]})");
    auto r = analytics_js_call("i", R"("type":"identify","userId":"u","traits":{"email":"a@example.com"},
        "context":{"library":{"name":"analytics.js"})" +
                                        ip_json + "}");
    r.headers = {{"cf-connecting-ip", "203.0.113.7"}};
    return run(cfg, r);
  };
  auto const ip_of = [](outcome const& o) {
    auto const message = o.calls[0].json();
    auto const& ctx = message.at("context").as_object();
    return ctx.contains("ip") ? std::string(ctx.at("ip").as_string()) : std::string("<none>");
  };
  auto const gist_ip = [](outcome const& o) {
    auto const json = o.calls[1].json();
    auto const& body = json.as_object();
    return body.contains("last_seen_ip") ? std::string(body.at("last_seen_ip").as_string()) : std::string("<none>");
  };
  auto const full = for_policy("full", "");
  CHECK(ip_of(full) == "203.0.113.7");
  CHECK(gist_ip(full) == "203.0.113.7");
  auto const masked = for_policy("masked", "");
  CHECK(ip_of(masked) == "203.0.113.0");
  CHECK(gist_ip(masked) == "203.0.113.0");
  CHECK(masked.calls[1].body.find("203.0.113.7") == std::string::npos);
  auto const none = for_policy("none", "");
  CHECK(ip_of(none) == "<none>");
  CHECK(gist_ip(none) == "<none>");
  // The client's own context.ip is under the policy too, IPv6 included; what is no address goes.
  CHECK(ip_of(for_policy("masked", R"(,"ip":"2001:db8:85a3::8a2e:370:7334")")) == "2001:db8:85a3::");
  CHECK(ip_of(for_policy("masked", R"(,"ip":"not an ip")")) == "<none>");
  CHECK(ip_of(for_policy("none", R"(,"ip":"198.51.100.1")")) == "<none>");
  CHECK(ip_of(for_policy("full", R"(,"ip":"198.51.100.1")")) == "198.51.100.1");
  CHECK(config_error_of(R"({"sources":[{"writeKey":"wk","ipAddress":"partial"}]})") ==
        "sources[0].ipAddress: \"full\", \"masked\" or \"none\"");
}
