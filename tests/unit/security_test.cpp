// A writeKey is public: what any holder of one can make the core plan is bounded (issue #10).
// Envelope expansion, per-message size as delivered, the outgoing budget, Gist tag caps, dedup
// scopes per source, rate-limit checks, insecure endpoints and the settings document's host.
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "ingest/limits.hpp"
#include "json/write_json.hpp"
#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config const& capture_only() {
  static config c = make_config(
      R"({"sources":[{"writeKey":"wk","destinations":{"capture":{"endpoint":"https://127.0.0.1:9/cap"}}}]})");
  return c;
}

config const& gist_tags(bool tags) {
  static config on = make_config(one_destination_config("gist", R"("apiKey":{"secret":"GIST_API_KEY"},"tags":true)"));
  static config off = make_config(one_destination_config("gist", R"("apiKey":{"secret":"GIST_API_KEY"})"));
  return tags ? on : off;
}

outcome post_batch(config const& cfg, std::string const& body) {
  request r;
  r.url = "https://edge.example.com/v1/batch";
  r.body = body;
  return run(cfg, r);
}

std::string tiny_tracks(std::size_t n) {
  std::string items;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) items += ',';
    items += R"({"type":"track","userId":"u","event":"e"})";
  }
  return items;
}

// Names in base 36 ("0", "1", … "a", … "10", …), comma-separated as Segment allows: 8,083 of them
// fit in one 31 KB identify, as in the issue.
std::string identify_with_tags(std::size_t n, std::string const& repeat = "") {
  std::string tags;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) tags += ',';
    if (!repeat.empty()) {
      tags += repeat;
      continue;
    }
    std::string name;
    for (std::size_t v = i;; v /= 36) {
      name.insert(name.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
      if (v < 36) break;
    }
    tags += name;
  }
  return R"({"writeKey":"wk","userId":"u1","messageId":"m1","traits":{"email":"a@b.c","tags":")" + tags + R"("}})";
}

outcome identify(config const& cfg, std::string const& body) {
  request r;
  r.url = "https://edge.example.com/v1/i";
  r.body = body;
  return run(cfg, r);
}

}  // namespace

TEST_CASE(
    "security: the issue's amplification (2,500 tracks under a 380 KB envelope context) is refused, nothing planned") {
  std::string const context = R"({"pad":")" + std::string(380 * 1024, 'x') + R"("})";
  auto o = post_batch(capture_only(),
                      R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + tiny_tracks(2500) + "]}");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(o.calls.empty());
}

TEST_CASE("security: an envelope context within 32 KB copied into 2,500 items is refused past 1 MB of copies") {
  std::string const context = R"({"pad":")" + std::string(20 * 1024, 'x') + R"("})";
  auto o = post_batch(capture_only(),
                      R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + tiny_tracks(2500) + "]}");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") ==
        "the batch's context, integrations and sentAt, copied into each of its 2500 items, would add over 1024 KB: "
        "send them in each item instead");
  CHECK(o.calls.empty());
}

TEST_CASE("security: a 79 KB envelope sentAt is not copied into every item (found by the long fuzz run)") {
  // fuzz/regressions/envelope-sent-at--long-run: the sentAt was copied into each item unmeasured,
  // so each message as delivered was 80 KB, and 2,500 of them would have been 200 MB.
  std::string const sent_at(79000, '9');
  auto o =
      post_batch(capture_only(), R"({"writeKey":"wk","sentAt":")" + sent_at + R"(","batch":[)" + tiny_tracks(2) + "]}");
  CHECK(o.status == 400);
  CHECK(o.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(o.calls.empty());
  // Under 32 KB each, but copied 2,500 times: over the 1 MB of copies.
  auto many = post_batch(capture_only(), R"({"writeKey":"wk","sentAt":")" + std::string(1000, '9') + R"(","batch":[)" +
                                             tiny_tracks(2500) + "]}");
  CHECK(many.status == 400);
  CHECK(many.json().at("message") ==
        "the batch's context, integrations and sentAt, copied into each of its 2500 items, would add over 1024 KB: "
        "send them in each item instead");
  CHECK(many.calls.empty());
}

TEST_CASE("security: a small envelope context shared by 2,500 items is merged into each") {
  std::string const context = R"({"library":{"name":")" + std::string(300, 'l') + R"("}})";
  auto o = post_batch(capture_only(),
                      R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + tiny_tracks(2500) + "]}");
  REQUIRE(o.status == 200);
  REQUIRE(o.calls.size() == 2500);
  CHECK(o.calls[2499].json().at("context").at("library").at("name").as_string().size() == 300);
}

TEST_CASE("security: the 32 KB limit counts the envelope's context: exactly 32 KB passes, one byte more is refused") {
  // merged = item + ,"context": + the envelope's context object
  std::string const context = R"({"pad":")" + std::string(10000, 'c') + R"("})";
  auto item_of = [](std::size_t merged_target, std::size_t context_size) {
    std::string const head = R"({"type":"track","userId":"u","event":"e","p":")";
    std::size_t const fixed = head.size() + 2 + 11 + context_size;  // "}" + closing quote, ,"context":
    return head + std::string(merged_target - fixed, 'p') + R"("})";
  };
  auto body = [&](std::string const& item) {
    return R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + item + "]}";
  };
  auto at = post_batch(capture_only(), body(item_of(limits::event_bytes, context.size())));
  CHECK(at.status == 200);
  REQUIRE(at.calls.size() == 1);
  auto over = post_batch(capture_only(), body(item_of(limits::event_bytes + 1, context.size())));
  CHECK(over.status == 400);
  CHECK(over.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
  CHECK(over.calls.empty());
}

TEST_CASE("security: an item whose own context overrides the envelope's is measured as merged, not as the sum") {
  std::string const context = R"({"pad":")" + std::string(20000, 'c') + R"("})";
  std::string const item =
      R"({"type":"track","userId":"u","event":"e","context":{"pad":"own"},"p":")" + std::string(20000, 'p') + R"("})";
  auto o = post_batch(capture_only(), R"({"writeKey":"wk","context":)" + context + R"(,"batch":[)" + item + "]}");
  CHECK(o.status == 200);
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("context").at("pad") == "own");
}

TEST_CASE("security: an identify with 8,083 tags makes 1 + 20 Gist calls and a note, with tags on") {
  auto o = identify(gist_tags(true), identify_with_tags(8083));
  REQUIRE(o.status == 200);
  REQUIRE(o.calls.size() == 1 + limits::gist_tags_per_identify);
  CHECK(o.calls[0].url == "https://api.getgist.com/contacts");
  CHECK(o.calls[1].json().at("name") == "0");
  CHECK(o.calls[20].json().at("name") == "j");
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.tags_over_limit"});
}

TEST_CASE(
    "security: with tags off, the contact carries the first 20 distinct tags and a note says the rest were dropped") {
  auto o = identify(gist_tags(false), identify_with_tags(8083));
  REQUIRE(o.calls.size() == 1);
  auto const body = o.calls[0].json();
  auto const& tags = body.at("tags").as_array();
  CHECK(tags.size() == limits::gist_tags_per_identify);
  CHECK(tags.back() == "j");
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.tags_over_limit"});
}

TEST_CASE("security: 6,000 copies of one tag are one tag, and no note") {
  auto o = identify(gist_tags(true), identify_with_tags(6000, "vip"));
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[1].json().at("name") == "vip");
  CHECK(o.notes.empty());
}

namespace {
// Gist flattens nested traits into keys that repeat every ancestor's name: `levels` levels of
// `key_bytes`-byte keys over `leaves` leaves asks for levels × key_bytes × leaves bytes of keys.
std::string deep_identify(std::string const& id, int levels, int key_bytes, int leaves) {
  std::string traits = R"({"email":"a@b.c","deep":)";
  std::string tail;
  for (int level = 0; level < levels; ++level) {
    traits += "{\"" + std::string(static_cast<std::size_t>(key_bytes), static_cast<char>('a' + level % 26)) + "\":";
    tail += '}';
  }
  traits += '{';
  for (int leaf = 0; leaf < leaves; ++leaf) traits += (leaf ? ",\"" : "\"") + std::to_string(leaf) + "\":1";
  traits += '}' + tail + '}';
  return R"({"type":"identify","userId":"u1","messageId":")" + id + R"(","traits":)" + traits + "}";
}
}  // namespace

TEST_CASE(
    "security: an identify asking Gist for megabytes of flattened keys is not sent to Gist, and a note says why") {
  // 40 levels of 600-byte keys over 50 leaves: a 25 KB identify, 1.2 MB of keys.
  auto body = deep_identify("m1", 40, 600, 50);
  body.insert(1, R"("writeKey":"wk",)");
  auto o = identify(gist_tags(false), body);
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.properties_too_large"});
}

TEST_CASE("security: flattened keys up to 64 KB are sent") {
  // 10 levels of 100-byte keys over 60 leaves: 60 KB of keys.
  auto body = deep_identify("m1", 10, 100, 60);
  body.insert(1, R"("writeKey":"wk",)");
  auto o = identify(gist_tags(false), body);
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].json().at("custom_properties").as_object().size() == 60);
  CHECK(o.notes.empty());
}

TEST_CASE("security: a batch whose Gist bodies together pass the byte budget is refused, nothing planned") {
  // 20 such identifies are 26 KB of request asking for 1.2 MB of Gist bodies.
  std::string items;
  for (int i = 0; i < 20; ++i) items += (i ? "," : "") + deep_identify("m" + std::to_string(i), 10, 100, 60);
  std::string const body = R"({"writeKey":"wk","batch":[)" + items + "]}";
  auto o = post_batch(gist_tags(false), body);
  CHECK(o.status == 400);
  std::string const message(o.json().at("message").as_string());
  CHECK(message.rfind("refused: this request would make the Worker send ", 0) == 0);
  // 32 calls a message + 64; 4 × (request bytes + 512 a message) + 64 KB.
  auto const budget =
      " over its budget of 704 calls and " + std::to_string(4 * (body.size() + 512 * 20) + 65536) + " bytes (";
  CHECK_MESSAGE(message.find(budget) != std::string::npos, message);
  CHECK(o.calls.empty());
  CHECK(o.notes.empty());
  CHECK(o.counters.events_accepted == 0);
  CHECK(o.counters.events_rejected == 20);
}

TEST_CASE(
    "security: a message measured as it will be written: numbers JavaScript writes longer count at their length") {
  // 6,400 × 1e20 is 32 KB as sent and 141 KB as written (100000000000000000000).
  std::string numbers;
  for (int i = 0; i < 6400; ++i) numbers += (i ? ",1e20" : "1e20");
  request r;
  r.body = R"({"writeKey":"wk","userId":"u","event":"e","properties":{"n":[)" + numbers + "]}}";
  REQUIRE(r.body.size() <= limits::event_bytes);
  auto single = run(capture_only(), r);
  CHECK(single.status == 400);
  CHECK(single.json().at("message") == "message exceeds the 32 KB limit");
  auto batch = post_batch(
      capture_only(),
      R"({"writeKey":"wk","batch":[{"type":"track","userId":"u","event":"e","properties":{"n":[)" + numbers + "]}}]}");
  CHECK(batch.status == 400);
  CHECK(batch.json().at("message") ==
        "batch[0] exceeds the 32 KB limit per message (the batch's context, integrations and sentAt included)");
}

TEST_CASE("security: escapes count at their written length") {
  // 6,000 control characters: 6 KB as UTF-8 in memory, 36 KB written as \u0001.
  std::string escaped;
  for (int i = 0; i < 6000; ++i) escaped += "\\u0001";
  request r;
  r.body = R"({"writeKey":"wk","userId":"u","event":"e","properties":{"s":")" + escaped + R"("}})";
  auto o = run(capture_only(), r);
  CHECK(o.status == 400);
  CHECK(o.json().at("message") == "message exceeds the 32 KB limit");
}

TEST_CASE("security: 250,000 items past the batch limit are one note, counted") {
  std::string items = tiny_tracks(2500);
  for (int i = 0; i < 100000; ++i) items += ",0";
  auto o = post_batch(capture_only(), R"({"writeKey":"wk","batch":[)" + items + "]}");
  CHECK(o.status == 200);
  CHECK(o.calls.size() == 2500);
  CHECK(o.counters.events_received == 102500);
  CHECK(o.counters.events_rejected == 100000);
  CHECK(o.notes == std::vector<std::string>{"dropped   batch_item_limit"});
}

TEST_CASE("security: the dedup scope names the destination, the source and the account; ordinals count per messageId") {
  auto cfg = make_config(R"({"sources":[
      {"writeKey":"wk","destinations":{"gist":{"apiKey":{"secret":"GIST_API_KEY"},"tags":true}}},
      {"writeKey":"wk2","destinations":{"gist":{"apiKey":{"secret":"GIST_API_KEY"},"tags":true}}},
      {"writeKey":"wk3","destinations":{"gist":{"apiKey":{"secret":"OTHER_GIST_KEY"},"tags":true}}}]})");
  std::string const body = R"({"userId":"u1","messageId":"m1","traits":{"email":"a@b.c","tags":["a","b"]}})";
  auto send = [&](std::string const& key) {
    auto with_key = body;
    with_key.insert(1, R"("writeKey":")" + key + R"(",)");
    return identify(cfg, with_key);
  };
  auto a = send("wk"), b = send("wk2"), c = send("wk3");
  REQUIRE(a.calls.size() == 3);
  REQUIRE(b.calls.size() == 3);
  REQUIRE(c.calls.size() == 3);
  CHECK(a.calls[0].scope.size() == std::string("gist:").size() + 16 + 1 + 16);
  CHECK(a.calls[0].scope.rfind("gist:" + cfg.sources[0].id + ":", 0) == 0);
  CHECK(a.calls[0].scope == a.calls[2].scope);
  CHECK(a.calls[0].scope != b.calls[0].scope);  // same account, another source
  CHECK(a.calls[0].scope.substr(22) == b.calls[0].scope.substr(22));
  CHECK(b.calls[0].scope.substr(22) != c.calls[0].scope.substr(22));  // another account
  CHECK(a.calls[0].ordinal == 0);
  CHECK(a.calls[1].ordinal == 1);
  CHECK(a.calls[2].ordinal == 2);
}

TEST_CASE("security: one messageId sent twice in a batch keeps counting ordinals, so neither copy shadows the other") {
  auto o = post_batch(capture_only(),
                      R"({"writeKey":"wk","batch":[{"type":"track","userId":"u","event":"e","messageId":"same"},
      {"type":"track","userId":"u","event":"f","messageId":"same"}]})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].ordinal == 0);
  CHECK(o.calls[1].ordinal == 1);
}

TEST_CASE("security: each request names the rate limits of its source: per client IP first, then per writeKey") {
  request r;
  r.body = R"({"writeKey":"wk","userId":"u","event":"e"})";
  r.headers = {{"cf-connecting-ip", "203.0.113.7"}};
  auto o = run(capture_only(), r);
  auto const id = capture_only().sources[0].id;
  CHECK(o.rate_limits ==
        std::vector<std::string>{"RATE_LIMIT_CLIENT_IP ip:" + id + ":203.0.113.7", "RATE_LIMIT_WRITE_KEY wk:" + id});
  r.headers.clear();
  CHECK(run(capture_only(), r).rate_limits == std::vector<std::string>{"RATE_LIMIT_WRITE_KEY wk:" + id});
}

TEST_CASE("security: a refused request is counted too; an unknown writeKey names no limit") {
  request r;
  auto const strict =
      make_config(R"({"sources":[{"writeKey":"wk","rejectInvalidEvents":true,"destinations":{"capture":{}}}]})");
  r.body = R"({"writeKey":"wk","event":"e"})";  // no userId: 400 with rejectInvalidEvents
  auto o = run(strict, r);
  CHECK(o.status == 400);
  CHECK(o.rate_limits.size() == 1);
  r.body = R"({"writeKey":"nope","userId":"u","event":"e"})";
  CHECK(run(capture_only(), r).rate_limits.empty());
}

TEST_CASE("security: a batch names each distinct source's limit once") {
  auto cfg = make_config(
      R"({"sources":[{"writeKey":"wk","destinations":{"capture":{}}},{"writeKey":"wk2","destinations":{"capture":{}}}]})");
  auto o = post_batch(cfg, R"({"writeKey":"wk","batch":[{"type":"track","userId":"u","event":"e"},
      {"type":"track","userId":"u","event":"e","writeKey":"wk2"},{"type":"track","userId":"u","event":"e"}]})");
  CHECK(o.rate_limits == std::vector<std::string>{"RATE_LIMIT_WRITE_KEY wk:" + cfg.sources[0].id,
                                                  "RATE_LIMIT_WRITE_KEY wk:" + cfg.sources[1].id});
}

TEST_CASE("security: the plan names the request's sources, each once, whether or not they count a rate limit") {
  auto cfg = make_config(R"({"sources":[{"writeKey":"wk","destinations":{"capture":{}}},
      {"writeKey":"wk2","rateLimits":{"writeKey":null,"clientIp":null},"destinations":{"capture":{}}}]})");
  auto o = post_batch(cfg, R"({"writeKey":"wk2","batch":[{"type":"track","userId":"u","event":"e"},
      {"type":"track","userId":"u","event":"e","writeKey":"wk"},{"type":"track","userId":"u","event":"e"}]})");
  CHECK(o.sources == std::vector<std::string>{cfg.sources[1].id, cfg.sources[0].id});
  request r;
  r.body = R"({"writeKey":"wk2","userId":"u","event":"e"})";
  CHECK(run(cfg, r).sources == std::vector<std::string>{cfg.sources[1].id});
  r.body = R"({"writeKey":"nope","userId":"u","event":"e"})";
  CHECK(run(cfg, r).sources.empty());
}

TEST_CASE(
    "security: rateLimits names bindings per source; null turns a limit off; the config lists what the host checks") {
  auto c = parse_config(R"({"sources":[
      {"writeKey":"wk","rateLimits":{"writeKey":"RL_BIG_SITE","clientIp":null},"destinations":{"capture":{}}},
      {"writeKey":"wk2","destinations":{"capture":{}}}]})");
  REQUIRE(c.has_value());
  CHECK(c->sources[0].rate_limit_write_key == "RL_BIG_SITE");
  CHECK(c->sources[0].rate_limit_client_ip.empty());
  CHECK(c->sources[1].rate_limit_write_key == "RATE_LIMIT_WRITE_KEY");
  REQUIRE(c->rate_limiters.size() == 3);
  CHECK(c->rate_limiters[0].binding == "RL_BIG_SITE");
  CHECK(c->rate_limiters[0].required);
  CHECK(c->rate_limiters[0].field == "sources[0].rateLimits.writeKey");
  CHECK(c->rate_limiters[1].binding == "RATE_LIMIT_WRITE_KEY");
  CHECK(!c->rate_limiters[1].required);
  CHECK(c->rate_limiters[2].binding == "RATE_LIMIT_CLIENT_IP");
  auto bad = parse_config(R"({"sources":[{"writeKey":"wk","rateLimits":{"writeKey":"has space"}}]})");
  REQUIRE(!bad);
  CHECK(bad.error().message == "sources[0].rateLimits.writeKey: not a binding name (letters, digits and _)");
  auto typo = parse_config(R"({"sources":[{"writeKey":"wk","rateLimits":{"perIp":"X"}}]})");
  REQUIRE(!typo);
  CHECK(typo.error().message == "sources[0].rateLimits.perIp: unknown setting (known: writeKey, clientIp)");
}

TEST_CASE("security: an http:// endpoint is refused unless the config allows insecure endpoints") {
  auto refused =
      parse_config(one_destination_config("gist", R"("apiKey":{"secret":"K"},"endpoint":"http://gist.example")"));
  REQUIRE(!refused);
  CHECK(refused.error().message ==
        "sources[0].destinations.gist.endpoint: must be an https:// URL: over http:// the destination's credentials "
        "would cross the network in clear text (for local tests, set \"allowInsecureEndpoints\": true at the top of "
        "the config)");
  auto allowed = parse_config(R"({"allowInsecureEndpoints":true,"sources":[{"writeKey":"wk","destinations":{
      "gist":{"apiKey":{"secret":"K"},"endpoint":"http://127.0.0.1:9"}}}]})");
  CHECK(allowed.has_value());
}

namespace {
outcome settings(config const& cfg, std::string const& host) {
  request r;
  r.method = "GET";
  r.url = "https://" + host + "/v1/projects/wk/settings";
  return run(cfg, r);
}
std::string api_host(outcome const& o) {
  return std::string(o.json().at("integrations").at("Segment.io").at("apiHost").as_string());
}
}  // namespace

TEST_CASE("security: the settings document takes its apiHost from the request only for a listed host") {
  auto cfg = make_config(
      R"({"hosts":["collect.example.com","c2.example.com"],"sources":[{"writeKey":"wk","destinations":{"capture":{}}}]})");
  auto listed = settings(cfg, "c2.example.com");
  CHECK(api_host(listed) == "c2.example.com/v1");
  CHECK(listed.reply_header("vary") == "Host");
  CHECK(listed.reply_header("cache-control") == "public, max-age=300, stale-while-revalidate=3600");
  auto other = settings(cfg, "evil.example");
  CHECK(api_host(other) == "collect.example.com/v1");
  CHECK(other.reply_header("vary") == "Host");
}

TEST_CASE("security: with no hosts listed, the document follows the request's host and no shared cache keeps it") {
  auto o = settings(capture_only(), "edge.example.com");
  CHECK(api_host(o) == "edge.example.com/v1");
  CHECK(o.reply_header("vary") == "Host");
  CHECK(o.reply_header("cache-control") == "private, max-age=300");
}

TEST_CASE("security: a source's own apiHost depends on nothing in the request") {
  auto cfg =
      make_config(R"({"sources":[{"writeKey":"wk","apiHost":"api.example.com/v1","destinations":{"capture":{}}}]})");
  auto o = settings(cfg, "evil.example");
  CHECK(api_host(o) == "api.example.com/v1");
  CHECK(o.reply_header("vary") == "");
  CHECK(o.reply_header("cache-control") == "public, max-age=300, stale-while-revalidate=3600");
}

TEST_CASE("security: hosts must be bare host names") {
  auto c = parse_config(R"({"hosts":["https://collect.example.com"],"sources":[{"writeKey":"wk"}]})");
  REQUIRE(!c);
  CHECK(c.error().message == "hosts[0]: must be a host name, optionally with :port (no scheme or path)");
}

TEST_CASE(
    "security: numbers are measured at their written length both ways: 7,500 × 1.5 in a 30 KB message is accepted") {
  std::string numbers;
  for (int i = 0; i < 7500; ++i) numbers += (i ? ",1.5" : "1.5");
  std::string const message = R"({"type":"track","userId":"u","event":"e","properties":{"n":[)" + numbers + "]}}";
  REQUIRE(message.size() < limits::event_bytes);
  request r;
  r.body = R"({"writeKey":"wk",)" + message.substr(1);
  CHECK(run(capture_only(), r).status == 200);
  // Alone in a batch or beside a 26 KB neighbour, the same item is judged the same.
  auto alone = post_batch(capture_only(), R"({"writeKey":"wk","batch":[)" + message + "]}");
  auto beside = post_batch(capture_only(), R"({"writeKey":"wk","batch":[)" + message +
                                               R"(,{"type":"track","userId":"u","event":"e","p":")" +
                                               std::string(26 * 1024, 'p') + R"("}]})");
  CHECK(alone.status == 200);
  CHECK(beside.status == 200);
  CHECK(beside.calls.size() == 2);
}

namespace {

// JSON.stringify's escaping, byte by byte: the reference for the core's 16-bytes-at-a-time scans.
std::string stringify_reference(std::string const& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char u[7];
          std::snprintf(u, sizeof u, "\\u%04x", c);
          out += u;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + '"';
}

// `s` measured and written (alone) as JSON.stringify writes it.
void check_as_stringify(std::string_view s) {
  auto const expected = stringify_reference(std::string(s));
  CHECK(json::json_string_size(s) == expected.size());
  std::string written;
  json::write_json_string(written, s);
  CHECK(written == expected);
}

}  // namespace

// Lengths about the scans' 16-byte steps and their tails, and short ones; one byte of every value
// at every position, and a second one 16 bytes on (a scan that resumes after an escape).
TEST_CASE("security: strings written as JSON.stringify writes them and measured to the byte, any byte anywhere") {
  for (std::size_t const length : {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 19, 24, 31, 32, 33, 40})
    for (int c = 0; c < 256; ++c)
      for (std::size_t at = 0; at < length; ++at) {
        std::string s(length, 'a');
        s[at] = static_cast<char>(c);
        if (at + 16 < length) s[at + 16] = '"';
        INFO("byte " << c << " at " << at << " of " << length);
        std::string written;
        json::write_json(written, boost::json::value(boost::json::string(s)));
        CHECK(written == stringify_reference(s));
        check_as_stringify(s);
      }
  std::string empty;
  json::write_json_string(empty, "");
  CHECK(empty == "\"\"");
  CHECK(json::json_string_size("") == 2);
}

// The scans read 16 bytes at a time, beyond a short string where that memory can be read: what
// lies there is not taken for the string's, and a string at either end of the readable memory
// (here a page between two that cannot be read) is measured and written without reading past it.
TEST_CASE("security: a string's scan stays within the string, and within readable memory") {
  for (std::size_t length = 0; length <= 40; ++length)
    for (std::size_t gap = 0; gap < 16; ++gap) {
      std::string buffer = "\"\n\\" + std::string(gap + length + gap, 'a') + "\"\n\\";
      INFO("length " << length << " gap " << gap);
      check_as_stringify(std::string_view(buffer.data() + 3 + gap, length));  // escapes `gap` bytes before and after
    }
  long const page = sysconf(_SC_PAGESIZE);
  void* const pages = mmap(nullptr, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(pages != MAP_FAILED);
  char* const begin = static_cast<char*>(pages) + page;
  char* const end = begin + page;
  REQUIRE(mprotect(begin, page, PROT_READ | PROT_WRITE) == 0);
  for (std::size_t length = 0; length <= 40; ++length)
    for (char const edge : {'a', '"', '\n'})
      for (char* const at : {begin, end - length}) {
        std::memset(at, 'a', length);
        if (length > 0) (at == begin ? at[0] : at[length - 1]) = edge;
        INFO("length " << length << (at == begin ? " at the page's start" : " at its end"));
        check_as_stringify(std::string_view(at, length));
      }
  munmap(pages, 3 * page);
}
