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

TEST_CASE("boundaries: a batch item of exactly 32 KB is accepted, one byte more refuses the batch") {
  std::string const head = R"({"type":"track","userId":"u","event":"E","properties":{"p":")", tail = R"("}})";
  auto batch = [&](std::size_t item) { return R"({"writeKey":"wk","batch":[)" + exactly(item, head, tail) + "]}"; };
  auto at_limit = send("/v1/batch", batch(32768));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.calls.size() == 1);
  auto over = send("/v1/batch", batch(32768 + 1));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context and integrations included)");
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
    for (std::size_t i = 0; i < n; ++i) items += std::string(i ? "," : "") + R"({"type":"track","userId":"u","event":"e"})";
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
  CHECK(plain.reply_header("access-control-allow-headers") == "authorization, content-type, content-encoding, x-retry-count");
  CHECK(plain.reply_header("access-control-allow-methods") == "POST, OPTIONS");
  CHECK(plain.reply_header("access-control-max-age") == "86400");
  auto asked = send("/v1/t", "", "OPTIONS",
                    {{"origin", "https://shop.example"}, {"access-control-request-headers", "X-Custom, x_trace;<script>, Zz09@az"}});
  CHECK(asked.reply_header("access-control-allow-headers") ==
        "authorization, content-type, content-encoding, x-retry-count, X-Custom, x_tracescript, Zz09az");
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
