#include <doctest/doctest.h>

#include "ingest/basic_auth.hpp"
#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config const& capture_config() {
  static config c = make_config(R"({"sources":[
      {"writeKey":"wk","allowedOrigins":["https://shop.example"],
       "destinations":{"capture":{"endpoint":"https://127.0.0.1:9/cap"}}},
      {"writeKey":"wk2","destinations":{"capture":{"endpoint":"https://127.0.0.1:9/two"}}},
      {"writeKey":"wk-strict","rejectInvalidEvents":true,"destinations":{"capture":{"endpoint":"https://127.0.0.1:9/s"}}}]})");
  return c;
}

outcome post(std::string path, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  request r;
  r.url = "https://edge.example.com" + path;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return run(capture_config(), r);
}

std::string batch_of(std::size_t n, std::string const& item) {
  std::string body = R"({"writeKey":"wk","batch":[)";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) body += ',';
    body += item;
  }
  return body + "]}";
}

}  // namespace

TEST_CASE("ingest: a track on /v1/t is accepted and passed to the destination normalized") {
  auto o = post("/v1/t", R"({"writeKey":"wk","event":"Signed Up","userId":"u1","messageId":"m1",
                            "timestamp":"2026-08-01T10:00:00.000Z","sentAt":"2026-08-01T10:00:00.100Z"})",
                {{"cf-connecting-ip", "203.0.113.7"}});
  CHECK(o.status == 200);
  CHECK(o.body == R"({"success":true})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].url == "https://127.0.0.1:9/cap");
  CHECK(o.calls[0].message_id == "m1");
  CHECK(o.calls[0].order_key == "u1");
  // timestamp = receivedAt − (sentAt − timestamp) = 10:00:00.500 − 0.100 s
  CHECK(o.calls[0].body ==
        R"({"event":"Signed Up","userId":"u1","messageId":"m1","timestamp":"2026-08-01T10:00:00.400Z",)"
        R"("sentAt":"2026-08-01T10:00:00.100Z","type":"track","originalTimestamp":"2026-08-01T10:00:00.000Z",)"
        R"("receivedAt":"2026-08-01T10:00:00.500Z","channel":"server","version":2})");
}

// spec/common.md: context.ip is filled "for client side events only"; http-api: or with
// context.direct; analytics.js FAQ: not an IPv6 address.
TEST_CASE("ingest: context.ip is filled for client-side libraries and context.direct, never IPv6; channel says which") {
  auto context_of = [](std::string const& context, std::string const& ip) {
    auto o = post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u1","context":)" + context + "}",
                  {{"cf-connecting-ip", ip}});
    REQUIRE(o.calls.size() == 1);
    auto const v = o.calls[0].json();
    return std::pair{v.at("context"), v.at("channel")};
  };
  auto const [ajs_context, ajs_channel] = context_of(R"({"library":{"name":"analytics.js"}})", "203.0.113.7");
  CHECK(ajs_context.at("ip") == "203.0.113.7");
  CHECK(ajs_channel == "client");
  for (char const* lib : {"analytics-ios", "analytics-android", "analytics-kotlin", "analytics-swift"})
    CHECK(context_of(std::string(R"({"library":{"name":")") + lib + R"("}})", "203.0.113.7").first.at("ip") ==
          "203.0.113.7");
  CHECK(context_of(R"({"direct":true})", "203.0.113.7").first.at("ip") == "203.0.113.7");
  CHECK(context_of(R"({"direct":true,"ip":null})", "203.0.113.7").first.at("ip") == "203.0.113.7");
  CHECK(context_of(R"({"direct":true,"ip":"10.0.0.1"})", "203.0.113.7").first.at("ip") == "10.0.0.1");  // theirs kept
  CHECK(context_of(R"({"direct":"true"})", "203.0.113.7").first.as_object().if_contains("ip") == nullptr);
  CHECK(context_of(R"({"library":{"name":"analytics-node"}})", "203.0.113.7").first.as_object().if_contains("ip") ==
        nullptr);
  CHECK(context_of(R"({"library":{"name":"analytics-node"}})", "203.0.113.7").second == "server");
  CHECK(context_of(R"({"library":{"name":"analytics.js"}})", "2001:db8::1").first.as_object().if_contains("ip") ==
        nullptr);
}

TEST_CASE("ingest: every short and long single path sets the type") {
  struct path_type {
    char const* path;
    char const* type;
  };
  for (auto pt : {path_type{"/v1/t", "track"},
                  {"/v1/i", "identify"},
                  {"/v1/p", "page"},
                  {"/v1/s", "screen"},
                  {"/v1/g", "group"},
                  {"/v1/a", "alias"},
                  {"/v1/track", "track"},
                  {"/v1/identify", "identify"},
                  {"/v1/page", "page"},
                  {"/v1/screen", "screen"},
                  {"/v1/group", "group"},
                  {"/v1/alias", "alias"}}) {
    auto o =
        post(pt.path, R"({"writeKey":"wk","userId":"u","event":"E","groupId":"g","previousId":"p","type":"identify"})");
    CHECK_MESSAGE(o.status == 200, pt.path);
    REQUIRE(o.calls.size() == 1);
    CHECK(o.calls[0].json().at("type") == pt.type);
  }
}

TEST_CASE("ingest: the writeKey comes from the body, Basic auth with or without the colon") {
  std::string const msg = R"({"event":"E","userId":"u"})";
  CHECK(post("/v1/t", msg, {{"authorization", "Basic " + base64_encode("wk:")}}).status == 200);
  CHECK(post("/v1/t", msg, {{"authorization", "Basic " + base64_encode("wk")}}).status == 200);
  CHECK(post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u"})").status == 200);
}

TEST_CASE("ingest: a missing or unknown writeKey is 401 and nothing is planned") {
  auto missing = post("/v1/t", R"({"event":"E","userId":"u"})");
  CHECK(missing.status == 401);
  CHECK(missing.json().at("code") == "unauthorized");
  CHECK(missing.calls.empty());
  auto unknown = post("/v1/t", R"({"writeKey":"nope","event":"E","userId":"u"})");
  CHECK(unknown.status == 401);
  CHECK(unknown.calls.empty());
  auto bad_basic =
      post("/v1/t", R"({"event":"E","userId":"u"})", {{"authorization", "Basic " + base64_encode("nope:")}});
  CHECK(bad_basic.status == 401);
}

TEST_CASE("ingest: malformed input is 400 invalid_request") {
  for (auto const& body : {std::string("{"), std::string("[]"), std::string("\"x\""), std::string(""),
                           std::string("{\"writeKey\":\"wk\",\"event\":\"\xff\xfe\",\"userId\":\"u\"}"),
                           std::string(200, '[') + std::string(200, ']')}) {
    auto o = post("/v1/t", body);
    CHECK(o.status == 400);
    CHECK(o.json().at("success") == false);
    CHECK(o.json().at("code") == "invalid_request");
    CHECK(o.calls.empty());
  }
}

// http-api "Errors": 200 "for all API requests except errors caused by large payloads and JSON
// errors"; the invalid event is dropped.
TEST_CASE("ingest: a single message Segment would drop is answered 200 and dropped, with the reason in a note") {
  auto o = post("/v1/i", R"({"writeKey":"wk","messageId":"m9","traits":{}})");
  CHECK(o.status == 200);
  CHECK(o.body == R"({"success":true})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped  m9 missing_identity"});
  CHECK(o.counters.events_rejected == 1);
  CHECK(post("/v1/t", R"({"writeKey":"wk","userId":"u"})").notes ==
        std::vector<std::string>{"dropped   missing_event"});
}

TEST_CASE("ingest: with rejectInvalidEvents, such a message is 400 with the reason") {
  auto o = post("/v1/i", R"({"writeKey":"wk-strict","traits":{}})");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") == "userId or anonymousId is required");
  CHECK(post("/v1/t", R"({"writeKey":"wk-strict","userId":"u"})").json().at("message") ==
        "track requires an event name");
  CHECK(post("/v1/g", R"({"writeKey":"wk-strict","userId":"u"})").json().at("message") == "group requires a groupId");
  CHECK(post("/v1/a", R"({"writeKey":"wk-strict","userId":"u"})").json().at("message") ==
        "alias requires a previousId");
}

TEST_CASE("ingest: numeric ids become strings") {
  auto o = post("/v1/i", R"({"writeKey":"wk","userId":12345,"anonymousId":7})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("userId") == "12345");
  CHECK(o.calls[0].json().at("anonymousId") == "7");
  CHECK(o.calls[0].order_key == "12345");
}

TEST_CASE("ingest: a missing messageId is generated, an existing context.ip kept") {
  auto o = post("/v1/p", R"({"writeKey":"wk","anonymousId":"a1","context":{"ip":"198.51.100.1"}})",
                {{"cf-connecting-ip", "203.0.113.7"}});
  REQUIRE(o.calls.size() == 1);
  auto const body = o.calls[0].json();
  CHECK(body.at("context").at("ip") == "198.51.100.1");
  std::string const id(body.at("messageId").as_string());
  CHECK(id == "ajs-edge-1785578400500-338c5071-4628-4fb4-a79b-98a53ee910c3");  // seed ff, the request's first id
  CHECK(o.calls[0].message_id == id);
}

TEST_CASE("ingest: writeKey is not forwarded to destinations") {
  auto o = post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u"})");
  REQUIRE(o.calls.size() == 1);
  CHECK(!o.calls[0].json().as_object().contains("writeKey"));
}

TEST_CASE("ingest: a batch merges the envelope's context and integrations into each item") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","sentAt":"2026-08-01T10:00:00.500Z",
      "context":{"library":{"name":"env"},"locale":"fr"},"integrations":{"All":true},
      "batch":[{"type":"track","event":"A","userId":"u","messageId":"m1","context":{"locale":"en"}},
               {"type":"identify","userId":"u","messageId":"m2"}]})");
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 2);
  auto const a = o.calls[0].json(), b = o.calls[1].json();
  CHECK(a.at("context").at("locale") == "en");
  CHECK(a.at("context").at("library").at("name") == "env");
  CHECK(b.at("context").at("locale") == "fr");
  CHECK(b.at("integrations").at("All") == true);
  CHECK(o.calls[0].message_id == "m1");
  CHECK(o.calls[1].message_id == "m2");
}

TEST_CASE("ingest: /v1/b, /v1/batch and /v1/import are the same batch endpoint") {
  for (auto path : {"/v1/b", "/v1/batch", "/v1/import"}) {
    auto o = post(path, R"({"writeKey":"wk","batch":[{"type":"page","anonymousId":"a"}]})");
    CHECK(o.status == 200);
    CHECK(o.calls.size() == 1);
  }
}

TEST_CASE("ingest: the envelope sentAt corrects each item's clock skew") {
  auto o = post("/v1/b", R"({"writeKey":"wk","sentAt":"2026-08-01T09:00:01.000Z",
      "batch":[{"type":"track","event":"A","userId":"u","timestamp":"2026-08-01T09:00:00.000Z"}]})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("timestamp") == "2026-08-01T09:59:59.500Z");
  CHECK(o.calls[0].json().at("sentAt") == "2026-08-01T09:00:01.000Z");
}

TEST_CASE("ingest: an envelope sentAt sent as a number corrects the skew and is copied as a number") {
  // 1785574801000 ms = 2026-08-01T09:00:01.000Z, as the item's own numeric sentAt would be read.
  auto o = post("/v1/b", R"({"writeKey":"wk","sentAt":1785574801000,
      "batch":[{"type":"track","event":"A","userId":"u","timestamp":"2026-08-01T09:00:00.000Z"},
               {"type":"track","event":"B","userId":"u","timestamp":"2026-08-01T09:00:00.000Z","sentAt":""}]})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].json().at("timestamp") == "2026-08-01T09:59:59.500Z");
  CHECK(o.calls[0].json().at("sentAt") == 1785574801000);
  // An item's own sentAt member, even an unusable one, is not overwritten; the envelope's still
  // corrects its clock.
  CHECK(o.calls[1].json().at("timestamp") == "2026-08-01T09:59:59.500Z");
  CHECK(o.calls[1].json().at("sentAt") == "");
  // Neither text nor a number (nor empty text): no sentAt, no correction.
  for (auto sent_at : {R"({"at":1})", "true", R"("")", "null"}) {
    auto none = post(
        "/v1/b", std::string(R"({"writeKey":"wk","sentAt":)") + sent_at +
                     R"(,"batch":[{"type":"track","event":"A","userId":"u","timestamp":"2026-08-01T09:00:00.000Z"}]})");
    REQUIRE(none.calls.size() == 1);
    CHECK(none.calls[0].json().at("timestamp") == "2026-08-01T09:00:00.000Z");
    CHECK_FALSE(none.calls[0].json().as_object().contains("sentAt"));
  }
}

TEST_CASE("ingest: an origin one source refuses gets no CORS headers, though another source allows every origin") {
  auto refused = post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u"})", {{"origin", "https://evil.example"}});
  CHECK(refused.status == 403);
  CHECK(refused.reply_header("access-control-allow-origin").empty());
  auto open = post("/v1/t", R"({"writeKey":"wk2","event":"E","userId":"u"})", {{"origin", "https://evil.example"}});
  CHECK(open.status == 200);
  CHECK(open.reply_header("access-control-allow-origin") == "https://evil.example");
}

TEST_CASE("ingest: a client's own originalTimestamp is kept") {
  auto o = post(
      "/v1/t",
      R"({"writeKey":"wk","event":"E","userId":"u","timestamp":"2026-08-01T09:00:00.000Z","originalTimestamp":"2026-08-01T08:00:00.000Z"})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("originalTimestamp") == "2026-08-01T08:00:00.000Z");
}

TEST_CASE("ingest: without sentAt the client's timestamp is kept as sent, and no sentAt is added") {
  auto o = post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u","timestamp":"2026-08-01T09:00:00.000Z"})");
  REQUIRE(o.calls.size() == 1);
  auto const body = o.calls[0].json().as_object();
  CHECK(body.at("timestamp") == "2026-08-01T09:00:00.000Z");
  CHECK(body.at("originalTimestamp") == "2026-08-01T09:00:00.000Z");
  CHECK(!body.contains("sentAt"));
}

TEST_CASE("ingest: a skew correction that lands before year 0 is written as JavaScript writes it") {
  // node: new Date(receivedAt - (newDate(sentAt) - newDate(timestamp))).toISOString(), with
  // new-date 1.0.3 (segmentio-facade 3.2.7's reader): @segment/isodate 1.0.3 lib/index.js passes
  // the year to Date.UTC, which reads 0000 as 1900.
  auto o = post(
      "/v1/t",
      R"({"writeKey":"wk","event":"E","userId":"u","timestamp":"0000-01-01T00:00:00.000Z","sentAt":"9999-12-31T23:59:59.999Z"})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("timestamp") == "-006074-08-02T10:00:00.501Z");
}

TEST_CASE("ingest: with sentAt but no timestamp the timestamp is receivedAt") {
  auto o = post("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u","sentAt":"2026-08-01T09:00:00.000Z"})");
  REQUIRE(o.calls.size() == 1);
  auto const body = o.calls[0].json().as_object();
  CHECK(body.at("timestamp") == "2026-08-01T10:00:00.500Z");
  CHECK(body.at("sentAt") == "2026-08-01T09:00:00.000Z");
  CHECK(!body.contains("originalTimestamp"));
}

TEST_CASE("ingest: a batch item's own sentAt wins over the envelope's, for the body and the skew") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","sentAt":"2026-08-01T09:00:05.000Z","batch":[
      {"type":"track","event":"E","userId":"u","timestamp":"2026-08-01T09:00:00.000Z","sentAt":"2026-08-01T09:00:01.000Z"},
      {"type":"track","event":"E","userId":"u","sentAt":5}]})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].json().at("sentAt") == "2026-08-01T09:00:01.000Z");
  CHECK(o.calls[0].json().at("timestamp") == "2026-08-01T09:59:59.500Z");  // 10:00:00.500 - 1 s
  CHECK(o.calls[1].json().at("sentAt") == 5);  // not text: kept as sent, the envelope's not put in its place
}

TEST_CASE("ingest: invalid batch items are dropped and counted, valid ones go on in order") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","batch":[
      {"type":"track","userId":"u","event":"A","messageId":"m1"},
      {"type":"track","userId":"u","messageId":"bad1"},
      17,
      {"type":"bogus","userId":"u","messageId":"bad2"},
      {"type":"identify","anonymousId":"x","messageId":"m2"}]})");
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].message_id == "m1");
  CHECK(o.calls[1].message_id == "m2");
  CHECK(o.counters.events_received == 5);
  CHECK(o.counters.events_accepted == 2);
  CHECK(o.counters.events_rejected == 3);
  CHECK(o.notes == std::vector<std::string>{"dropped  bad1 missing_event", "dropped   not_an_object",
                                            "dropped  bad2 invalid_type"});
}

TEST_CASE("ingest: a per-item writeKey overrides the envelope's and routes to its source") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","batch":[
      {"type":"page","anonymousId":"a","writeKey":"wk2"},{"type":"page","anonymousId":"b"}]})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].url == "https://127.0.0.1:9/two");
  CHECK(o.calls[1].url == "https://127.0.0.1:9/cap");
}

TEST_CASE("ingest: an unknown per-item writeKey refuses the whole batch") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","batch":[{"type":"page","anonymousId":"a"},
      {"type":"page","anonymousId":"b","writeKey":"nope"}]})");
  CHECK(o.status == 401);
  CHECK(o.calls.empty());
}

TEST_CASE("ingest: a batch item over 32 KB refuses the batch with 400 naming the item") {
  std::string const big =
      R"({"type":"track","event":"E","userId":"u","properties":{"p":")" + std::string(33000, 'x') + R"("}})";
  auto o = post("/v1/batch", R"({"writeKey":"wk","batch":[{"type":"page","anonymousId":"a"},)" + big + "]}");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") ==
        "batch[1] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(o.calls.empty());
}

TEST_CASE("ingest: a batch request over 500 KB is 400") {
  auto o = post("/v1/batch", batch_of(20, R"({"type":"page","anonymousId":"a","properties":{"p":")" +
                                              std::string(30000, 'x') + R"("}})"));
  CHECK(o.status == 400);
  CHECK(o.json().at("message") == "request body exceeds the 500 KB batch limit");
}

TEST_CASE("ingest: the host's too-large and unreadable-body flags are 400") {
  request r;
  r.url = "https://edge.example.com/v1/batch";
  r.body_too_large = true;
  CHECK(run(capture_config(), r).status == 400);
}

TEST_CASE("ingest: 2,500 items are accepted; more are dropped and counted") {
  std::string const item = R"({"type":"track","event":"E","anonymousId":"a"})";
  auto full = post("/v1/batch", batch_of(2500, item));
  CHECK(full.status == 200);
  CHECK(full.calls.size() == 2500);
  auto over = post("/v1/batch", batch_of(2502, item));
  CHECK(over.status == 200);
  CHECK(over.calls.size() == 2500);
  CHECK(over.counters.events_rejected == 2);
  CHECK(over.notes.back() == "dropped   batch_item_limit");
}

TEST_CASE("ingest: batch must be an array") {
  auto o = post("/v1/batch", R"({"writeKey":"wk","batch":{}})");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") == "batch must be an array of messages");
}

TEST_CASE("ingest: /v1/m telemetry is accepted and forwarded nowhere") {
  auto o = post("/v1/m", R"({"series":[{"type":"Counter","metric":"analytics_js.invoke","value":1}]})");
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
}

TEST_CASE("ingest: a lone surrogate escape (a string cut inside an emoji) becomes U+FFFD, not a 400") {
  auto o = post(
      "/v1/t",
      R"({"writeKey":"wk","event":"cut \ud83d","userId":"u","properties":{"ok":"\ud83d\ude00","k":"\\ud83d","low":"\udc00x"}})");
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 1);
  auto const body = o.calls[0].json();
  CHECK(body.at("event") == "cut \xEF\xBF\xBD");
  CHECK(body.at("properties").at("ok") == "\xF0\x9F\x98\x80");
  CHECK(body.at("properties").at("k") == "\\ud83d");
  CHECK(body.at("properties").at("low") == "\xEF\xBF\xBDx");
}

TEST_CASE("ingest: a batch with no usable message still needs a known writeKey") {
  request r;
  r.url = "https://edge.example.com/v1/batch";
  r.body = R"({"batch":[1,"two",null]})";
  CHECK(run(capture_config(), r).status == 401);
  r.body = R"({"writeKey":"nope","batch":[]})";
  CHECK(run(capture_config(), r).status == 401);
  r.body = R"({"writeKey":"wk","batch":[1]})";
  auto o = run(capture_config(), r);
  CHECK(o.status == 200);
  CHECK(o.counters.events_rejected == 1);
}
