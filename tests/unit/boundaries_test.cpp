// Every size and depth limit pinned on both sides: the last accepted value and the first refused
// one (a limit tested only far from its edge lets an off-by-some change through). The CORS
// preflight's exact header lists. The limits themselves live in src/ingest/limits.hpp.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config const& capture_from_shop() {
  static config c = make_config(R"({"sources":[{"writeKey":"wk","allowedOrigins":["https://shop.example"],
      "destinations":{"capture":{"endpoint":"https://127.0.0.1:9/cap"}}}]})");
  return c;
}

outcome send(std::string const& path, std::string body, std::string method = "POST",
             std::vector<std::pair<std::string, std::string>> headers = {}) {
  return send_to(capture_from_shop(), std::move(method), path, std::move(headers), std::move(body));
}

// `head` + padding + `tail`, exactly `size` bytes: the padding is 'x's inside a JSON string.
std::string exactly(std::size_t size, std::string const& head, std::string const& tail) {
  REQUIRE(size >= head.size() + tail.size());
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

std::string nested(std::size_t objects) {
  std::string p;
  for (std::size_t i = 0; i < objects; ++i) p += R"({"a":)";
  p += "1";
  for (std::size_t i = 0; i < objects; ++i) p += "}";
  return p;
}

}  // namespace

TEST_CASE("boundaries: a body nested 64 deep is accepted, 65 deep is 400") {
  // The message object is depth 1; `properties` adds the rest.
  auto at_limit = send("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u","properties":)" + nested(63) + "}");
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/t", R"({"writeKey":"wk","event":"E","userId":"u","properties":)" + nested(64) + "}");
  CHECK(over.status == 400);
  CHECK(over.json().at("message") == "malformed JSON: too deep");
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: a single message of exactly 32 KB is accepted, one byte more is 400") {
  std::string const head = R"({"writeKey":"wk","event":"E","userId":"u","properties":{"p":")", tail = R"("}})";
  auto at_limit = send("/v1/t", exactly(32768, head, tail));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/t", exactly(32768 + 1, head, tail));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") == "message exceeds the 32 KB limit");
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: a batch item is measured as it is written: its escapes to the byte") {
  // \u0001 is written as it came (6 bytes for 1 of the string's); \/ is written as / (1 for 2).
  // (A batch item: a single message's body is also limited to 32 KB as received.)
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item, std::string const& escapes) {
    return R"({"writeKey":"wk","batch":[)" + exactly(item, head + escapes, tail) + "]}";
  };
  std::string controls;
  for (int i = 0; i < 5000; ++i) controls += R"(\u0001)";
  auto at_limit = send("/v1/batch", batch(32768, controls));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/batch", batch(32768 + 1, controls));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");

  std::string slashes;
  for (int i = 0; i < 10000; ++i) slashes += R"(\/)";
  auto shrinks = send("/v1/batch", batch(32768 + 10000, slashes));  // 32,768 bytes as written
  CHECK(shrinks.status == 200);
  CHECK(shrinks.calls.size() == 1);
  auto shrinks_over = send("/v1/batch", batch(32768 + 10000 + 1, slashes));
  CHECK(shrinks_over.status == 400);
}

TEST_CASE("boundaries: a batch item of exactly 32 KB is accepted, one byte more refuses the batch") {
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item) { return R"({"writeKey":"wk","batch":[)" + exactly(item, head, tail) + "]}"; };
  auto at_limit = send("/v1/batch", batch(32768));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/batch", batch(32768 + 1));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: a batch item is measured with the envelope's context merged in, to the byte") {
  // Merged, the item gains `,"context":{"c":"x"}`: 20 bytes.
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  std::string const merged = R"(,"context":{"c":"x"})";
  auto batch = [&](std::size_t item) {
    return R"({"writeKey":"wk","context":{"c":"x"},"batch":[)" + exactly(item, head, tail) + "]}";
  };
  auto at_limit = send("/v1/batch", batch(32768 - merged.size()));
  CHECK(at_limit.status == 200);
  REQUIRE(at_limit.calls.size() == 1);
  CHECK(at_limit.calls[0].json().at("context").at("c") == "x");
  auto over = send("/v1/batch", batch(32768 - merged.size() + 1));
  CHECK(over.status == 400);
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: the envelope's sentAt, copied into each item without one, counts to the byte") {
  // Put back into the item, it is `,"sentAt":"2026-08-01T10:00:00.000Z"`: 36 bytes.
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item) {
    return R"({"writeKey":"wk","sentAt":"2026-08-01T10:00:00.000Z","batch":[)" + exactly(item, head, tail) + "]}";
  };
  auto at_limit = send("/v1/batch", batch(32768 - 36));
  CHECK(at_limit.status == 200);
  REQUIRE(at_limit.calls.size() == 1);
  CHECK(at_limit.calls[0].json().at("sentAt") == "2026-08-01T10:00:00.000Z");
  auto over = send("/v1/batch", batch(32768 - 36 + 1));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(over.calls.empty());
  // An item with a sentAt of its own gains nothing from the envelope's: 32 KB exactly is fine.
  std::string const own_head = R"({"type":"track","userId":"u","event":"E","sentAt":"x","properties":{"p":")";
  auto own = send("/v1/batch", R"({"writeKey":"wk","sentAt":"2026-08-01T10:00:00.000Z","batch":[)" +
                                   exactly(32768, own_head, tail) + "]}");
  CHECK(own.status == 200);
}

TEST_CASE("boundaries: a numeric envelope sentAt counts to the byte, as JavaScript writes the number") {
  // 1e12 goes back into the item as `,"sentAt":1000000000000`: 23 bytes.
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item) {
    return R"({"writeKey":"wk","sentAt":1e12,"batch":[)" + exactly(item, head, tail) + "]}";
  };
  auto at_limit = send("/v1/batch", batch(32768 - 23));
  CHECK(at_limit.status == 200);
  REQUIRE(at_limit.calls.size() == 1);
  CHECK(at_limit.calls[0].body.find(R"("sentAt":1000000000000)") != std::string::npos);
  auto over = send("/v1/batch", batch(32768 - 23 + 1));
  CHECK(over.status == 400);
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: the envelope's context and integrations both count, to the byte") {
  // Merged, the item gains `,"context":{"c":"x"}` (20 bytes) and `,"integrations":{"All":true}` (28).
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item) {
    return R"({"writeKey":"wk","context":{"c":"x"},"integrations":{"All":true},"batch":[)" + exactly(item, head, tail) +
           "]}";
  };
  auto at_limit = send("/v1/batch", batch(32768 - 48));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/batch", batch(32768 - 48 + 1));
  CHECK(over.status == 400);
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: an item with its own context is measured with only the envelope members it lacks, to the byte") {
  // The item keeps its "a"; merged, it gains `,"b":"y"`: 8 bytes.
  std::string const head = R"({"type":"track","userId":"u","event":"E","context":{"a":"own"},"properties":{"p":")",
                    tail = R"("}})";
  auto batch = [&](std::size_t item) {
    return R"({"writeKey":"wk","context":{"a":"x","b":"y"},"batch":[)" + exactly(item, head, tail) + "]}";
  };
  auto at_limit = send("/v1/batch", batch(32768 - 8));
  CHECK(at_limit.status == 200);
  REQUIRE(at_limit.calls.size() == 1);
  CHECK(at_limit.calls[0].json().at("context") == boost::json::parse(R"({"a":"own","b":"y"})"));
  auto over = send("/v1/batch", batch(32768 - 8 + 1));
  CHECK(over.status == 400);
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: the envelope's context copied into the items may add exactly 1 MB, not a byte more") {
  // Each item gains `,"context":` + the 4,085-byte context: 4,096 bytes; 256 items are 1 MB. A
  // source without destinations: delivering 1 MB of copies would pass the outgoing byte budget.
  auto const cfg = make_config(R"({"sources":[{"writeKey":"wk","destinations":{}}]})");
  std::string const context = R"({"pad":")" + std::string(4085 - 10, 'c') + R"("})";
  auto batch = [&](std::size_t n) {
    std::string items;
    for (std::size_t i = 0; i < n; ++i)
      items += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"e"})";
    return R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + items + "]}";
  };
  auto at_limit = send_to(cfg, "POST", "/v1/batch", {}, batch(256));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.counters.events_accepted == 256);
  auto over = send_to(cfg, "POST", "/v1/batch", {}, batch(257));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "the batch's context, integrations and sentAt, copied into each of its 257 items, would add over 1024 KB: send "
        "them "
        "in each item instead");
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: a Gist body's flattened keys may take exactly 64 KB, one byte more drops it with a note") {
  // 64 keys `<1,021 k's>_aa` … `_cl` of 1,024 bytes each; one leaf a letter longer is 65,537.
  auto const cfg = make_config(one_destination_config("gist", R"("apiKey":{"secret":"GIST_API_KEY"})"));
  auto track = [&](bool one_more) {
    std::string leaves;
    for (int i = 0; i < 64; ++i) {
      leaves += std::string(i ? ",\"" : "\"") + static_cast<char>('a' + i / 26) + static_cast<char>('a' + i % 26);
      if (one_more && i == 63) leaves += 'x';
      leaves += "\":1";
    }
    return R"({"writeKey":"wk","messageId":"m1","event":"E","userId":"u","properties":{")" + std::string(1021, 'k') +
           R"(":{)" + leaves + "}}}";
  };
  auto at_limit = send_to(cfg, "POST", "/v1/t", {}, track(false));
  REQUIRE(at_limit.calls.size() == 1);
  CHECK(at_limit.calls[0].json().at("properties").as_object().size() == 64);
  CHECK(at_limit.notes.empty());
  auto over = send_to(cfg, "POST", "/v1/t", {}, track(true));
  CHECK(over.status == 200);
  CHECK(over.calls.empty());
  CHECK(over.notes == std::vector<std::string>{"dropped gist m1 gist.properties_too_large"});
}

TEST_CASE("boundaries: a request may plan exactly 25,000 calls; one more refuses it whole") {
  // With Gist tags on, an identify with n tags is 1 + n calls: 1,190 × 21 + (1 + 9) = 25,000.
  auto const cfg = make_config(one_destination_config("gist", R"("apiKey":{"secret":"GIST_API_KEY"},"tags":true)"));
  auto identify = [](int tags) {
    std::string names;
    for (int t = 0; t < tags; ++t) names += (t ? "," : "") + std::to_string(t);
    return R"({"type":"identify","userId":"u1","traits":{"email":"a@b.c","tags":")" + names + R"("}})";
  };
  auto batch = [&](int last_tags) {
    std::string items;
    for (int i = 0; i < 1190; ++i) items += identify(20) + ",";
    return R"({"writeKey":"wk","batch":[)" + items + identify(last_tags) + "]}";
  };
  auto at_limit = send_to(cfg, "POST", "/v1/batch", {}, batch(9));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 25000);
  auto over = send_to(cfg, "POST", "/v1/batch", {}, batch(10));
  CHECK(over.status == 400);
  std::string const message(over.json().at("message").as_string());
  CHECK_MESSAGE(message.find("25001+ calls") != std::string::npos, message);
  CHECK_MESSAGE(message.find("over its budget of 25000 calls") != std::string::npos, message);
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: 20 distinct tags are all kept; the 21st is dropped with a note") {
  auto const cfg = make_config(one_destination_config("gist", R"("apiKey":{"secret":"GIST_API_KEY"},"tags":true)"));
  auto identify = [&](int tags) {
    std::string names;
    for (int t = 0; t < tags; ++t) names += (t ? "," : "") + std::to_string(t);
    return send_to(
        cfg, "POST", "/v1/i", {},
        R"({"writeKey":"wk","messageId":"m1","userId":"u1","traits":{"email":"a@b.c","tags":")" + names + R"("}})");
  };
  auto at_limit = identify(20);
  CHECK(at_limit.calls.size() == 1 + 20);
  CHECK(at_limit.notes.empty());
  auto over = identify(21);
  CHECK(over.calls.size() == 1 + 20);
  CHECK(over.calls[20].json().at("name") == "19");
  CHECK(over.notes == std::vector<std::string>{"dropped gist m1 gist.tags_over_limit"});
}

TEST_CASE("boundaries: a batch request of exactly 500 KB is accepted, one byte more is 400") {
  // Whitespace after the JSON pads the body without changing a message.
  std::string const body = R"({"writeKey":"wk","batch":[{"type":"track","userId":"u","event":"E"}]})";
  auto at_limit = send("/v1/batch", body + std::string(512000 - body.size(), ' '));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/batch", body + std::string(512000 + 1 - body.size(), ' '));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") == "request body exceeds the 500 KB batch limit");
  CHECK(over.calls.empty());
}

TEST_CASE("boundaries: a batch of 2,500 items is planned whole; the 2,501st is dropped with one note") {
  auto batch = [](std::size_t n) {
    std::string items;
    for (std::size_t i = 0; i < n; ++i)
      items += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"e"})";
    return R"({"writeKey":"wk","batch":[)" + items + "]}";
  };
  auto at_limit = send("/v1/batch", batch(2500));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 2500);
  CHECK(at_limit.notes.empty());
  CHECK(at_limit.counters.events_received == 2500);
  auto over = send("/v1/batch", batch(2500 + 1));
  CHECK(over.status == 200);
  CHECK(over.calls.size() == 2500);
  CHECK(over.notes == std::vector<std::string>{"dropped   batch_item_limit"});
  CHECK(over.counters.events_received == 2500 + 1);
  CHECK(over.counters.events_rejected == 1);
}

TEST_CASE("boundaries: a preflight allows exactly analytics.js's headers, then what the page asked for") {
  auto plain = send("/v1/t", "", "OPTIONS", {{"origin", "https://shop.example"}});
  CHECK(plain.status == 204);
  CHECK(plain.reply_header("access-control-allow-headers") ==
        "authorization, content-type, content-encoding, x-retry-count");
  CHECK(plain.reply_header("access-control-allow-methods") == "POST, OPTIONS");
  CHECK(plain.reply_header("access-control-max-age") == "86400");
  auto asked = send(
      "/v1/t", "", "OPTIONS",
      {{"origin", "https://shop.example"}, {"access-control-request-headers", "X-Custom, x_trace;<script>, Zz09@az"}});
  CHECK(asked.reply_header("access-control-allow-headers") ==
        "authorization, content-type, content-encoding, x-retry-count, x-custom, x_tracescript, zz09az");
  // What analytics.js asks for (content-type, authorization) is not repeated; each name once.
  auto again = send("/v1/t", "", "OPTIONS",
                    {{"origin", "https://shop.example"},
                     {"access-control-request-headers", "content-type,Authorization, x-a, X-A,, x-retry-count"}});
  CHECK(again.reply_header("access-control-allow-headers") ==
        "authorization, content-type, content-encoding, x-retry-count, x-a");
}

TEST_CASE("boundaries: the settings document's preflight is open to every origin; ingest's is not") {
  auto settings = send("/v1/projects/wk/settings", "", "OPTIONS", {{"origin", "https://elsewhere.example"}});
  CHECK(settings.status == 204);
  CHECK(settings.reply_header("access-control-allow-origin") == "https://elsewhere.example");
  CHECK(settings.reply_header("access-control-allow-methods") == "GET, HEAD, OPTIONS");
  auto ingest = send("/v1/t", "", "OPTIONS", {{"origin", "https://elsewhere.example"}});
  CHECK(ingest.status == 403);
  CHECK(ingest.reply_header("access-control-allow-origin") == "");
  auto no_origin = send("/v1/projects/wk/settings", "", "OPTIONS");
  CHECK(no_origin.status == 403);
}

TEST_CASE("boundaries: a short message whose numbers are written past 32 KB is still measured, and refused") {
  // 1e20 is written 100000000000000000000: 1,600 of them are ~8 KB as sent, ~35 KB as written.
  auto const numbers = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += i ? ",1e20" : "1e20";
    return s;
  };
  auto const single = [&](int n) {
    return R"({"writeKey":"wk","event":"E","userId":"u","properties":{"n":[)" + numbers(n) + "]}}";
  };
  REQUIRE(single(1600).size() < 9000);
  auto over = send("/v1/t", single(1600));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") == "message exceeds the 32 KB limit");
  auto batch =
      send("/v1/batch", R"({"writeKey":"wk","batch":[{"type":"track","event":"E","userId":"u","properties":{"n":[)" +
                            numbers(1600) + "]}}]}");
  CHECK(batch.status == 400);
  CHECK(batch.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(send("/v1/t", single(800)).status == 200);  // ~17.6 KB as written
}
