#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config const& cors_config() {
  static config c = make_config(R"({"sources":[
      {"writeKey":"wk","allowedOrigins":["https://shop.example"],
       "deliveryStrategy":{"strategy":"batching","config":{"size":10,"timeout":5000}},
       "httpConfig":{"backoffConfig":{"maxRetryCount":5}},
       "destinations":{"capture":{"endpoint":"https://127.0.0.1:9/cap"}}}]})");
  return c;
}

outcome send(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
             std::string body = {}) {
  return send_to(cors_config(), std::move(method), path, std::move(headers), std::move(body));
}

}  // namespace

TEST_CASE("endpoints: an unknown path is 404") {
  auto o = send("POST", "/v2/t");
  CHECK(o.status == 404);
  CHECK(o.json().at("code") == "not_found");
  CHECK(send("POST", "/v1/x").status == 404);
  CHECK(send("GET", "/").status == 404);
}

TEST_CASE("endpoints: a wrong method is 405 with Allow") {
  auto o = send("GET", "/v1/t");
  CHECK(o.status == 405);
  CHECK(o.reply_header("allow") == "POST, OPTIONS");
  auto s = send("POST", "/v1/projects/wk/settings");
  CHECK(s.status == 405);
  CHECK(s.reply_header("allow") == "GET, HEAD, OPTIONS");
  // HEAD: the settings document's, and nothing else's.
  auto head = send("HEAD", "/v1/projects/wk/settings");
  CHECK(head.status == 200);
  auto head_ingest = send("HEAD", "/v1/t");
  CHECK(head_ingest.status == 405);
  CHECK(head_ingest.reply_header("allow") == "POST, OPTIONS");
}

TEST_CASE("endpoints: /v1/m answers an allowed origin with CORS headers, another origin without") {
  auto allowed = send("POST", "/v1/m", {{"origin", "https://shop.example"}}, R"({"series":[]})");
  CHECK(allowed.status == 200);
  CHECK(allowed.reply_header("access-control-allow-origin") == "https://shop.example");
  auto other = send("POST", "/v1/m", {{"origin", "https://evil.example"}}, R"({"series":[]})");
  CHECK(other.status == 200);
  CHECK(other.reply_header("access-control-allow-origin").empty());
  CHECK(send("POST", "/v1/m", {}, R"({"series":[]})").reply_header("access-control-allow-origin").empty());
}

TEST_CASE("endpoints: preflight from an allowed origin allows what analytics.js sends") {
  auto o = send("OPTIONS", "/v1/t",
                {{"origin", "https://shop.example"},
                 {"access-control-request-headers", "authorization,content-type,x-retry-count"}});
  CHECK(o.status == 204);
  CHECK(o.reply_header("access-control-allow-origin") == "https://shop.example");
  CHECK(o.reply_header("access-control-allow-credentials") == "true");
  CHECK(o.reply_header("access-control-allow-methods") == "POST, OPTIONS");
  auto const allowed = o.reply_header("access-control-allow-headers");
  for (auto h : {"authorization", "content-type", "x-retry-count"}) CHECK(allowed.find(h) != std::string::npos);
  CHECK(o.reply_header("access-control-max-age") == "86400");
}

TEST_CASE("endpoints: a disallowed origin gets no CORS headers, and its POST is refused") {
  auto pre = send("OPTIONS", "/v1/t", {{"origin", "https://evil.example"}});
  CHECK(pre.status == 403);
  CHECK(pre.reply_header("access-control-allow-origin").empty());
  auto post =
      send("POST", "/v1/t", {{"origin", "https://evil.example"}}, R"({"writeKey":"wk","event":"E","userId":"u"})");
  CHECK(post.status == 403);
  CHECK(post.reply_header("access-control-allow-origin").empty());
  CHECK(post.calls.empty());
}

TEST_CASE("endpoints: a POST from an allowed origin carries CORS headers, errors included") {
  auto ok =
      send("POST", "/v1/t", {{"origin", "https://shop.example"}}, R"({"writeKey":"wk","event":"E","userId":"u"})");
  CHECK(ok.status == 200);
  CHECK(ok.reply_header("access-control-allow-origin") == "https://shop.example");
  auto bad = send("POST", "/v1/t", {{"origin", "https://shop.example"}}, "{");
  CHECK(bad.status == 400);
  CHECK(bad.reply_header("access-control-allow-origin") == "https://shop.example");
}

TEST_CASE("endpoints: settings make analytics.js talk to this Worker alone") {
  auto o = send("GET", "/v1/projects/wk/settings");
  CHECK(o.status == 200);
  CHECK(o.reply_header("access-control-allow-origin") == "*");
  CHECK(o.reply_header("cache-control").find("max-age=") != std::string::npos);
  auto const doc = o.json();
  auto const& seg = doc.at("integrations").at("Segment.io");
  CHECK(seg.at("apiKey") == "wk");
  CHECK(seg.at("addBundledMetadata") == true);
  CHECK(seg.at("apiHost") == "edge.example.com/v1");
  CHECK(seg.at("protocol") == "https");
  CHECK(seg.at("deliveryStrategy").at("strategy") == "batching");
  CHECK(seg.at("httpConfig").at("backoffConfig").at("maxRetryCount") == 5);
  CHECK(doc.at("integrations").as_object().size() == 1);
  CHECK(doc.at("metrics").at("sampleRate") == 0);
  CHECK(doc.at("metrics").at("host") == "edge.example.com/v1");
  CHECK(doc.at("remotePlugins").as_array().empty());
  CHECK(doc.at("plan") == boost::json::parse(R"({"track":{"__default":{"enabled":true,"integrations":{}}},
      "identify":{"__default":{"enabled":true}},"group":{"__default":{"enabled":true}}})"));
  CHECK(doc.at("legacyVideoPluginsEnabled") == false);
  CHECK(doc.at("analyticsNextEnabled") == true);
  CHECK(doc.at("edgeFunction").as_object().empty());
  CHECK(doc.at("enabledMiddleware").as_object().empty());
  CHECK(doc.at("middlewareSettings").as_object().empty());
}

TEST_CASE("endpoints: a trailing slash names the same endpoint") {
  auto o = send("POST", "/v1/t/", {}, R"({"writeKey":"wk","event":"E","userId":"u"})");
  CHECK(o.status == 200);
  CHECK(o.calls.size() == 1);
  CHECK(send("GET", "/v1/projects/wk/settings/").status == 200);
}

// An analytics.js that cannot load its settings reports the failure to api.segment.io: an unknown
// writeKey gets a document that keeps it here, the mistake in it and in the problem header.
TEST_CASE("endpoints: settings for an unknown writeKey keep analytics.js here, and say why") {
  auto o = send("GET", "/v1/projects/nope-12345/settings");
  CHECK(o.status == 200);
  auto const doc = o.json();
  CHECK(doc.at("integrations").at("Segment.io").at("apiKey") == "nope-12345");
  CHECK(doc.at("integrations").at("Segment.io").at("apiHost") == "edge.example.com/v1");
  CHECK(doc.at("metrics").at("host") == "edge.example.com/v1");
  auto const& problem = doc.at("ajsEdge").at("problem");
  CHECK(problem.at("code") == "unknown_write_key");
  CHECK(std::string_view(problem.at("message").as_string()).find("\"nope-1…\"") != std::string_view::npos);
  CHECK(problem.at("setting") == "sources[].writeKey");
  CHECK(problem.at("docs") == "README.md: Configuration");
  CHECK(o.reply_header("x-ajs-edge-problem") == "unknown_write_key");
  CHECK(o.reply_header("cache-control") == "no-store");
  CHECK(o.reply_header("vary") == "Host");  // apiHost came from the request's Host (the fuzzer's oracle)
  CHECK(o.reply_header("access-control-allow-origin") == "*");
}

TEST_CASE("endpoints: the settings path needs both /projects/<key> and /settings") {
  // A known key without /settings, and "settings" read as a key, are no endpoint at all.
  for (auto path : {"/v1/projects/wk", "/v1/projects/settings", "/v1/projects//settings", "/v1/projects/wk/x/settings",
                    "/projects/wk/"}) {
    auto o = send("GET", path);
    CHECK_MESSAGE(o.status == 404, path);
    CHECK_MESSAGE(std::string(o.json().at("message").as_string()) == "no such endpoint: \"" + std::string(path) + "\"",
                  path);
    CHECK_MESSAGE(o.json().at("docs") == "README.md: What it accepts (Segment's tracking API)", path);
  }
  CHECK(send("GET", "/projects/wk/settings").status == 200);  // the /v1 is optional, as analytics.js's CDN has it
}

TEST_CASE("endpoints: a basePath prefixes every endpoint and the settings' apiHost") {
  auto c = make_config(R"({"basePath":"/collect","sources":[{"writeKey":"wk"}]})");
  request r;
  r.method = "GET";
  r.url = "http://127.0.0.1:8787/collect/v1/projects/wk/settings";
  auto o = run(c, r);
  CHECK(o.status == 200);
  CHECK(o.json().at("integrations").at("Segment.io").at("apiHost") == "127.0.0.1:8787/collect/v1");
  CHECK(o.json().at("integrations").at("Segment.io").at("protocol") == "http");
  // Outside basePath: the settings all the same (analytics.js must not fall back to Segment), with
  // the apiHost under basePath and the mistake said; any other endpoint a 404 naming basePath.
  r.url = "http://127.0.0.1:8787/v1/projects/wk/settings";
  auto outside = run(c, r);
  CHECK(outside.status == 200);
  CHECK(outside.json().at("integrations").at("Segment.io").at("apiHost") == "127.0.0.1:8787/collect/v1");
  CHECK(outside.json().at("ajsEdge").at("problem").at("code") == "settings_path");
  CHECK(outside.json().at("ajsEdge").at("problem").at("setting") == "basePath");
  r.method = "POST";
  r.url = "http://127.0.0.1:8787/v1/t";
  r.headers = {{"origin", "https://shop.example"}};
  auto post = run(c, r);
  CHECK(post.status == 404);
  CHECK(post.json().at("message") ==
        "no such endpoint: \"/v1/t\" is outside basePath \"/collect\", under which this Worker serves every endpoint");
  CHECK(post.json().at("setting") == "basePath");
  CHECK(post.reply_header("access-control-allow-origin") == "https://shop.example");  // any origin allowed: readable
}
