// Issue #17: the Worker sets analytics.js's ajs_anonymous_id cookie on its replies for a source
// that asks (tests/core/identity_cookie.test.mjs checks the value's encoding against js-cookie).
#include <doctest/doctest.h>

#include "http/identity_cookie.hpp"
#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config with_cookie(std::string const& setting) {
  return make_config(R"({"sources":[{"writeKey":"wk","identityCookie":)" + setting +
                     R"(,"destinations":{"capture":{}}},{"writeKey":"wk2","destinations":{"capture":{}}}]})");
}

outcome batch(config const& cfg, std::string const& items) {
  return send_to(cfg, "POST", "/v1/b", {}, R"({"writeKey":"wk","batch":[)" + items + "]}");
}

std::string const from_ajs = R"("context":{"library":{"name":"analytics.js","version":"npm:next-1.84.3"}})";

}  // namespace

TEST_CASE("identity cookie: the value as js-cookie writes it, with a long Max-Age, Secure and SameSite=Lax") {
  identity_cookie_config c{true, "", 365};
  CHECK(identity_cookie(c, "6c2f4e1a-8b1d-4f00-9a57-3e2b7d9c1f00") ==
        "ajs_anonymous_id=6c2f4e1a-8b1d-4f00-9a57-3e2b7d9c1f00; Max-Age=31536000; Path=/; Secure; SameSite=Lax");
  c.domain = "example.com";
  c.max_age_days = 400;
  CHECK(identity_cookie(c, "a b;c,\"\xc3\xa9\\%") ==
        "ajs_anonymous_id=a%20b%3Bc%2C%22%C3%A9%5C%25; Max-Age=34560000; Path=/; Domain=example.com; Secure; "
        "SameSite=Lax");
  CHECK(identity_cookie(c, "#$&+/:<=>?@[]^`{|}-_.!~*'()").rfind("ajs_anonymous_id=#$&+/:<=>?@[]^`{|}-_.!~*'();", 0) ==
        0);
  CHECK(identity_cookie(c, std::string(512, 'a')).size() > 512);
  CHECK(identity_cookie(c, std::string(171, ';')).empty());  // 513 encoded bytes
}

TEST_CASE("identity cookie: set on a 200 for analytics.js's last anonymousId of the source that asks") {
  auto const on = with_cookie(R"({"domain":"example.com","maxAgeDays":30})");
  auto const o = batch(on, R"({"type":"track","event":"E","anonymousId":"anon-1",)" + from_ajs + R"(},
      {"type":"page","anonymousId":"anon-2","userId":"u",)" +
                               from_ajs + "}");
  CHECK(o.status == 200);
  CHECK(o.reply_header("set-cookie") ==
        "ajs_anonymous_id=anon-2; Max-Age=2592000; Path=/; Domain=example.com; Secure; SameSite=Lax");
  // Not from analytics.js (analytics-node, the HTTP API), another source, or no anonymousId: none.
  CHECK(batch(on, R"({"type":"track","event":"E","anonymousId":"anon-1"})").reply_header("set-cookie").empty());
  CHECK(batch(on, R"({"type":"track","event":"E","userId":"u",)" + from_ajs + "}").reply_header("set-cookie").empty());
  CHECK(batch(on, R"({"type":"track","event":"E","anonymousId":"a","writeKey":"wk2",)" + from_ajs + "}")
            .reply_header("set-cookie")
            .empty());
  // A message dropped (no event name) sets nothing; a refused request neither.
  CHECK(batch(on, R"({"type":"track","anonymousId":"anon-1",)" + from_ajs + "}").reply_header("set-cookie").empty());
  auto const refused = send_to(on, "POST", "/v1/t", {},
                               R"({"writeKey":"wk","type":"track","event":"E","anonymousId":"a",)" + from_ajs +
                                   R"(,"properties":{"x":")" + std::string(40000, 'x') + R"("}})");
  CHECK(refused.status == 400);
  CHECK(refused.reply_header("set-cookie").empty());
  // A single message too, and `true` means this host only, a year.
  auto const single =
      send_to(with_cookie("true"), "POST", "/v1/t", {},
              R"({"writeKey":"wk","type":"track","event":"E","anonymousId":"anon-9",)" + from_ajs + "}");
  CHECK(single.reply_header("set-cookie") == "ajs_anonymous_id=anon-9; Max-Age=31536000; Path=/; Secure; SameSite=Lax");
  CHECK(batch(with_cookie("false"), R"({"type":"track","event":"E","anonymousId":"a",)" + from_ajs + "}")
            .reply_header("set-cookie")
            .empty());
}

TEST_CASE("identity cookie: a malformed setting names its field") {
  auto const error = [](std::string const& setting) {
    return config_error_of(R"({"sources":[{"writeKey":"wk","identityCookie":)" + setting + "}]}");
  };
  CHECK(error("1").find("sources[0].identityCookie: true, or") == 0);
  CHECK(error(R"({"domain":"Example.com"})").find("sources[0].identityCookie.domain: a lower-case domain name") == 0);
  CHECK(error(R"({"domain":"a..b"})").find("sources[0].identityCookie.domain:") == 0);
  CHECK(error(R"({"domain":"example.com; Secure"})").find("sources[0].identityCookie.domain:") == 0);
  CHECK(error(R"({"maxAgeDays":0})") == "sources[0].identityCookie.maxAgeDays: a whole number of days from 1 to 400");
  CHECK(error(R"({"maxAgeDays":401})") == "sources[0].identityCookie.maxAgeDays: a whole number of days from 1 to 400");
  CHECK(error(R"({"maxAgeDays":1.5})") == "sources[0].identityCookie.maxAgeDays: a whole number of days from 1 to 400");
  CHECK(error(R"({"path":"/"})").find("sources[0].identityCookie") == 0);
  CHECK(with_cookie(R"({"domain":".example.com"})").sources[0].identity_cookie.domain == "example.com");
}
