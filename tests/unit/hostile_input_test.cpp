// Wrongly typed and hostile messages through every destination at once: each is either planned
// or refused with a reason, never a crash, and what is planned is valid JSON.
#include <doctest/doctest.h>

#include "plan_fixture.hpp"

using namespace ajs;
using namespace ajs::test;

namespace {

config const& all_destinations() {
  static config c = make_config(R"({"sources":[{"writeKey":"wk","destinations":{
      "capture":{"endpoint":"https://127.0.0.1:9/cap"},
      "gist":{"apiKey":{"secret":"GIST_API_KEY"},"pages":true,"groups":"company","tags":true},
      "gainsight":{"accessKey":{"secret":"GAINSIGHT_ACCESS_KEY"},"whitelistTrackEvents":["Order Completed"]},
      "gainsightPx":{"apiKey":{"secret":"GAINSIGHT_PX_API_KEY"}}}}]})");
  return c;
}

outcome batch(std::string const& items) {
  request r;
  r.url = "https://edge.example.com/v1/batch";
  r.body = R"({"writeKey":"wk","batch":[)" + items + "]}";
  return run(all_destinations(), r);
}

}  // namespace

TEST_CASE("hostile input: wrongly typed fields are planned or dropped, and every body is JSON") {
  char const* const items[] = {
      R"({"type":"identify","userId":"u","traits":[1,2,3]})",
      R"({"type":"identify","userId":"u","traits":"email=a@b.c"})",
      R"({"type":"identify","userId":"u","traits":{"email":42,"name":{"first":"A"},"createdAt":true,"tags":17}})",
      R"({"type":"identify","userId":"u","traits":{"email":"a@b.c","tags":{"x":true,"y":"no"},"createdAt":-1e300}})",
      R"({"type":"track","userId":"u","event":["Order Completed"]})",
      R"({"type":"track","userId":"u","event":"E","properties":"not an object","context":7})",
      R"({"type":"track","userId":"u","event":"E","integrations":"All","context":{"consent":[]}})",
      R"({"type":"track","userId":"u","event":"E","integrations":{"All":"no","Gist":1}})",
      R"({"type":"track","userId":"u","event":"E","timestamp":17,"sentAt":{"x":1}})",
      R"({"type":"page","anonymousId":"a","name":{"n":1},"properties":[]})",
      R"({"type":"group","userId":"u","groupId":{"id":1},"traits":null})",
      R"({"type":"group","userId":"u","groupId":5,"traits":{"name":["x"]}})",
      R"({"type":"alias","userId":"u","previousId":[]})",
      R"({"type":"screen","userId":null,"anonymousId":false})",
      R"({"type":null,"userId":"u"})",
      R"({"type":"identify","userId":"u","messageId":{"evil":true}})",
      R"({"type":"identify","userId":"u","context":{"ip":["1.2.3.4"],"traits":{"email":{}}}})",
      R"({"type":"track","userId":"u","event":"E","properties":{"":"","\u0000":"\u0000","a.b":{"c.d":[{"e":null}]}}})",
  };
  std::string all;
  for (auto const* item : items) {
    if (!all.empty()) all += ',';
    all += item;
    auto o = batch(item);
    CHECK_MESSAGE(o.status == 200, item);
    for (auto const& c : o.calls) {
      boost::system::error_code ec;
      boost::json::parse(c.body, ec);
      CHECK_MESSAGE(!ec, item << " → " << c.destination << " " << c.body);
    }
  }
  auto o = batch(all);
  CHECK(o.status == 200);
  CHECK(o.counters.events_received == std::size(items));
  CHECK(o.counters.events_accepted + o.counters.events_rejected == std::size(items));
}

TEST_CASE("hostile input: ids that are objects or arrays do not count as ids") {
  auto o = batch(R"({"type":"track","userId":{"id":"u"},"anonymousId":["a"],"event":"E","messageId":"m1"})");
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped  m1 missing_identity"});
}

TEST_CASE("hostile input: a huge number of tiny items stays within the limits and is planned in order") {
  std::string items;
  for (int i = 0; i < 2500; ++i) {
    if (i) items += ',';
    items += R"({"type":"page","anonymousId":"a)" + std::to_string(i % 7) + R"("})";
  }
  auto o = batch(items);
  CHECK(o.status == 200);
  CHECK(o.counters.events_accepted == 2500);
}
