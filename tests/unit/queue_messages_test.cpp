#include <doctest/doctest.h>

#include <deque>
#include <map>
#include <string>

#include "plan/plan_encoding.hpp"
#include "plan/plan_writer.hpp"
#include "plan/queue_messages.hpp"

using namespace ajs;

namespace {

// A destination's calls, as its planner would hold them (a writer knows a template by its address:
// these live as long as the test binary).
call_template const& template_of(std::string const& destination) {
  static std::map<std::string, call_template> templates;
  auto const at =
      templates
          .try_emplace(destination, destination, "POST",
                       std::initializer_list<header_line>{header_line::literal("content-type", "application/json"),
                                                          header_line::secret("accessKey", "KEY", secret_format::raw)})
          .first;
  return at->second;
}

// A call with a fixed-size body: `pad` bytes of 'x' inside {"p":"…"}.
void add_call(plan_writer& w, std::string_view destination, std::string_view message_id, std::string_view order_key,
              std::size_t pad, std::uint32_t flags = 0) {
  w.set_scope(std::string(destination) + ":s:a");
  w.begin_request(template_of(std::string(destination)), "https://x.test/e", message_id, order_key, flags);
  w.body(w.text(R"({"p":")" + std::string(pad, 'x') + R"("})"));
}

std::vector<std::string> messages_of(plan const& p) {
  std::vector<std::string> out;
  for (auto const& m : p.messages) out.emplace_back(p.view(m.body));
  return out;
}

}  // namespace

TEST_CASE("queue messages: one chain per destination and order key, in order; the wire form to the byte") {
  plan p;
  plan_writer w(p);
  add_call(w, "gist", "m1", "u1", 1);
  add_call(w, "gainsight", "m1", "u1", 1, retry_not_found);
  add_call(w, "gist", "m2", "u1", 1);
  add_call(w, "gist", "", "u\"2", 1);  // no messageId: no key; a quote in the order key
  w.set_scope("other:s:a");            // a URL and a scope of its own in the first chain
  w.begin_request(template_of("gist"), "https://x.test/f", "m3", "u1");
  w.body(w.text("{}"));
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0].chains == 3);
  CHECK(p.messages[0].flags == 0);
  std::string const headers =
      R"([{"name":"content-type","value":"application/json"},{"name":"accessKey","secret":"KEY","format":"raw"}])";
  // A call names the key's ordinal (the key is scope|messageId|ordinal); one without a messageId none.
  auto const call = [&](std::string_view id, std::string_view extra = "") {
    return R"({"bodyLength":9,"messageId":")" + std::string(id) + "\"" + std::string(extra) + "}";
  };
  auto const chain = [&](std::string_view destination, std::string_view order_key) {
    return R"({"v":1,"destination":")" + std::string(destination) + R"(","orderKey":")" + std::string(order_key) +
           R"(","method":"POST","headers":)" + headers + R"(,"url":"https://x.test/e","scope":")" +
           std::string(destination) + R"(:s:a","calls":[)";
  };
  CHECK(messages_of(p)[0] ==
        R"({"v":2,"chains":[)" + chain("gist", "u1") + call("m1", R"(,"ordinal":0)") + "," +
            call("m2", R"(,"ordinal":0)") + "," +
            R"({"url":"https://x.test/f","scope":"other:s:a","bodyLength":2,"messageId":"m3","ordinal":0})" + "]}," +
            chain("gainsight", "u1") + call("m1", R"(,"ordinal":0,"flags":1)") + "]}," + chain("gist", "u\\\"2") +
            call("") + "]}]}\n" + R"({"p":"x"}{"p":"x"}{}{"p":"x"}{"p":"x"})");
}

TEST_CASE("queue messages: equal order keys at two places in the plan are one chain") {
  // The writer finds most chains by where the destination and order key lie (both interned); a key
  // too long to intern lies at a new place each time, and is still the same chain.
  plan p;
  plan_writer w(p);
  std::string const long_key(300, 'k');
  add_call(w, "gist", "m1", long_key, 1);
  add_call(w, "gist", "m2", "u1", 1);
  add_call(w, "gist", "m3", std::string(long_key), 1);  // its own copy: another address, other bytes of the plan
  REQUIRE(p.requests[0].order_key.offset != p.requests[2].order_key.offset);
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 1);
  CHECK(p.messages[0].chains == 2);
  auto const text = messages_of(p)[0];
  CHECK(text.find(R"("messageId":"m1","ordinal":0},{"bodyLength":9,"messageId":"m3")") != std::string::npos);
}

TEST_CASE("queue messages: a call whose method or headers differ from its chain's first call names its own") {
  plan p;
  plan_writer w(p);
  add_call(w, "gist", "m1", "u1", 1);
  call_template const put{"gist", "PUT", {header_line::literal("content-type", "application/json")}};
  w.begin_request(put, "https://x.test/e", "m2", "u1");
  w.body(w.text("{}"));
  add_call(w, "gist", "m3", "u1", 1);
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 1);
  auto const text = messages_of(p)[0];
  CHECK(text.find(R"({"method":"PUT","headers":[{"name":"content-type","value":"application/json"}],"bodyLength":)") !=
        std::string::npos);
  CHECK(text.find(R"(,{"bodyLength":9,"messageId":"m3")") != std::string::npos);
  CHECK(text.substr(text.find('\n')) ==
        "\n"
        R"({"p":"x"}{}{"p":"x"})");
}

TEST_CASE("queue messages: a lone chain goes as it is; none for a plan without calls") {
  plan p;
  plan_writer w(p);
  write_queue_messages(p);
  CHECK(p.messages.empty());
  add_call(w, "gist", "m1", "u1", 1);
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 1);
  CHECK(messages_of(p)[0].rfind(R"({"v":1,"destination":"gist")", 0) == 0);
  CHECK(p.messages[0].chains == 1);
}

TEST_CASE("queue messages: a plan used again (its writer's rows kept with it) writes what a new plan writes") {
  // The writer's rows live in the plan (plan::queue_scratch), kept from one request to the next.
  // The ids live as long as the test: the writer keeps views of them (as of a request's message).
  std::deque<std::string> ids;
  auto const add_calls = [&](plan_writer& w, int users) {
    for (int i = 0; i < 3 * users; ++i) {
      auto const& id = ids.emplace_back("m" + std::to_string(i));
      add_call(w, i % 3 ? "gist" : "gainsight", id, "u" + std::to_string(i % users), 1 + i % 4);
    }
  };
  plan fresh;
  {
    plan_writer w(fresh);
    add_calls(w, 5);
  }
  write_queue_messages(fresh);
  auto const expected = messages_of(fresh);
  REQUIRE(expected.size() == 1);
  CHECK(fresh.messages[0].chains == 10);

  plan reused;
  {
    plan_writer w(reused);
    add_calls(w, 40);  // 80 chains: the writer's indexes past their first few keys
  }
  write_queue_messages(reused);
  CHECK(reused.messages[0].chains == 80);
  reused.reset(plan_kept_table_bytes);
  reused.bytes.assign(plan_header_bytes, '\0');
  {
    plan_writer w(reused);
    add_calls(w, 5);
  }
  write_queue_messages(reused);
  CHECK(messages_of(reused) == expected);
  // Written twice without a reset in between: the second time from empty rows too.
  write_queue_messages(reused);
  CHECK(messages_of(reused) == expected);
  CHECK(reused.queue_scratch.text.capacity() > 0);  // a beacon's room, kept

  // A big request's rows are freed once its messages are written, its scopes once it is planned:
  // 6,000 calls take over 64 KB of each (plan_kept_table_bytes) while they are written.
  plan big;
  auto const within_kept_room = [](auto const& table) {
    return table.capacity() * sizeof(table[0]) <= plan_kept_table_bytes;
  };
  {
    plan_writer w(big);
    add_calls(w, 2000);
    CHECK(!within_kept_room(big.ordinal_scratch.scopes));
  }
  CHECK(within_kept_room(big.ordinal_scratch.scopes));
  write_queue_messages(big);
  CHECK(big.messages.size() > 1);
  CHECK(within_kept_room(big.queue_scratch.text));
  CHECK(within_kept_room(big.queue_scratch.calls));
  CHECK(within_kept_room(big.queue_scratch.chains));
}

TEST_CASE("queue messages: a bundle of exactly the limit holds; one byte more starts a new message") {
  // Two chains, each of one call; the message's size is 19 (the bundle's own bytes) + both chains'
  // JSON + a comma + the newline + both bodies.
  auto const sizes = [](std::size_t pad) {
    plan p;
    plan_writer w(p);
    add_call(w, "gist", "m1", "u1", 1000);
    add_call(w, "gist", "m2", "u2", pad);
    write_queue_messages(p);
    std::vector<std::size_t> out;
    for (auto const& m : p.messages) out.push_back(m.body.length);
    return out;
  };
  // One bundle: its size at a pad whose body length has as many digits as the filling one's.
  std::size_t const pad = 100000;
  auto const base = sizes(pad);
  REQUIRE(base.size() == 1);
  std::size_t const fill = pad + queue_message_max_bytes - base[0];
  CHECK(sizes(fill) == std::vector<std::size_t>{queue_message_max_bytes});
  auto const over = sizes(fill + 1);
  REQUIRE(over.size() == 2);
  // Two lone chains: each has its own newline, where the bundle had one and its 20 other bytes.
  CHECK(over[0] + over[1] + std::string_view(R"({"v":2,"chains":[,]})").size() - 1 == queue_message_max_bytes + 1);
}

TEST_CASE("queue messages: a chain over the limit goes alone and flagged, its neighbours bundled around it") {
  plan p;
  plan_writer w(p);
  add_call(w, "gist", "a", "before", 10);
  add_call(w, "gainsight", "a", "before", 10);
  for (int i = 0; i < 3; ++i) add_call(w, "gist", "b" + std::to_string(i), "big", 50000);
  add_call(w, "gist", "c", "after", 10);
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 3);
  CHECK(p.messages[0].chains == 2);
  CHECK(p.messages[0].flags == 0);
  CHECK(p.messages[1].chains == 1);
  CHECK(p.messages[1].flags == oversized_chain);
  CHECK(p.messages[1].body.length > queue_message_max_bytes);
  CHECK(p.messages[2].chains == 1);
  CHECK(p.messages[2].flags == 0);

  // And they travel in the encoded plan.
  std::string bytes;
  encode_plan(p, bytes);
  auto d = decode_plan(bytes);
  REQUIRE(d.has_value());
  REQUIRE(d->messages.size() == 3);
  CHECK(d->messages[1].flags == oversized_chain);
  CHECK(d->view(d->messages[2].body) == p.view(p.messages[2].body));
}

TEST_CASE("call templates: calls share one run of headers, each call reads the template's headers") {
  call_template const gist{"gist",
                           "POST",
                           {header_line::literal("content-type", "application/json"),
                            header_line::secret("accessKey", "KEY", secret_format::raw)}};
  call_template const other{"gainsight", "POST", {header_line::literal("content-type", "application/json")}};
  plan p;
  plan_writer w(p);
  auto const one = [&](call_template const& t, std::string_view id, std::uint32_t flags) {
    w.set_scope(std::string(t.view(t.destination())) + ":s:a");
    w.begin_request(t, "https://x.test/e", id, "u1", flags);
    w.body(w.text(R"({"id":")" + std::string(id) + R"("})"));
  };
  one(gist, "m1", 0);
  one(other, "m1", retry_not_found);
  one(gist, "m2", 0);
  one(gist, "m2", 0);  // a second call for m2: ordinal 1
  write_queue_messages(p);
  CHECK(p.request_headers.size() == 3);  // gist's run once, gainsight's once
  REQUIRE(p.requests.size() == 4);
  CHECK(p.requests[0].first_header == p.requests[2].first_header);
  CHECK(p.requests[2].first_header == p.requests[3].first_header);
  CHECK(p.requests[3].ordinal == 1);
  // Every call's destination, method and headers, as a host reads them, are its template's.
  call_template const* const made_from[] = {&gist, &other, &gist, &gist};
  for (std::size_t i = 0; i < 4; ++i) {
    auto const& r = p.requests[i];
    auto const& t = *made_from[i];
    CAPTURE(i);
    CHECK(p.view(r.destination) == t.view(t.destination()));
    CHECK(p.view(r.method) == "POST");
    REQUIRE(r.header_count == t.headers().size());
    for (std::uint32_t h = 0; h < r.header_count; ++h) {
      auto const& x = p.request_headers[r.first_header + h];
      auto const& y = t.headers()[h];
      CHECK(p.view(x.name) == t.view(y.name));
      CHECK(p.view(x.value) == t.view(y.value));
      CHECK(p.view(x.secret) == t.view(y.secret));
      CHECK(x.format == y.format);
    }
  }
  CHECK(p.requests[1].flags == retry_not_found);
  // The queue message names each chain's run once, and no call repeats it.
  REQUIRE(p.messages.size() == 1);
  auto const text = messages_of(p)[0];
  CHECK(
      text.find(
          R"("headers":[{"name":"content-type","value":"application/json"},{"name":"accessKey","secret":"KEY","format":"raw"}],"url":)") !=
      std::string::npos);
  CHECK(text.find(R"({"headers")") == std::string::npos);
}

TEST_CASE("call templates: a call to one of the template's URLs refers to the plan's copy of it") {
  call_template const t{"gist",
                        "POST",
                        {header_line::literal("content-type", "application/json")},
                        {"https://x.test/contacts", "https://x.test/events"}};
  plan p;
  plan_writer w(p);
  w.begin_request(t, t.url(1), "m1", "u1");
  w.body(w.text("{}"));
  auto const copied = p.bytes.size();  // the template's text, the ids, the body
  w.begin_request(t, t.url(0), "m2", "u1");
  w.begin_request(t, t.url(1), "m3", "u1");
  CHECK(p.bytes.size() == copied + 4);  // "m2" and "m3": no URL written again
  // The same URL from elsewhere (another place, equal bytes) is interned once, apart from the copy.
  std::string const elsewhere(t.url(1));
  w.begin_request(t, elsewhere, "m4", "u1");
  w.begin_request(t, elsewhere, "m5", "u1");
  CHECK(p.bytes.size() == copied + 8 + elsewhere.size());
  std::string_view const expected[] = {"https://x.test/events", "https://x.test/contacts", "https://x.test/events",
                                       "https://x.test/events", "https://x.test/events"};
  REQUIRE(p.requests.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(p.view(p.requests[i].url) == expected[i]);
  CHECK(p.requests[0].url.offset == p.requests[2].url.offset);
  CHECK(p.requests[3].url.offset != p.requests[0].url.offset);
  CHECK(p.requests[3].url.offset == p.requests[4].url.offset);
}

TEST_CASE("call templates: after discard_calls a template writes its headers again") {
  call_template const t{"gist", "POST", {header_line::literal("content-type", "application/json")}};
  plan p;
  plan_writer w(p);
  w.begin_request(t, "https://x.test/e", "m1", "u1");
  w.body(w.text("{}"));
  w.discard_calls();
  CHECK(p.request_headers.empty());
  w.begin_request(t, "https://x.test/e", "m2", "u1");
  w.body(w.text("{}"));
  REQUIRE(p.requests.size() == 1);
  REQUIRE(p.request_headers.size() == 1);
  CHECK(p.requests[0].first_header == 0);
  CHECK(p.requests[0].header_count == 1);
  CHECK(p.view(p.request_headers[0].name) == "content-type");
}

TEST_CASE("ordinals count calls per (scope, messageId), however the calls of scopes and messages interleave") {
  plan p;
  plan_writer w(p);
  auto const call = [&](std::string_view scope, std::string_view id) {
    w.set_scope(scope);
    w.begin_request(template_of("gist"), "https://x.test/e", id, "u1");
    w.body(w.text("{}"));
    return p.requests.back().ordinal;
  };
  std::string const again("m1");  // the same messageId from another place (a duplicate in a batch)
  CHECK(call("a", "m1") == 0);
  CHECK(call("b", "m1") == 0);
  CHECK(call("a", "m1") == 1);
  CHECK(call("a", "m2") == 0);
  CHECK(call("b", again) == 1);
  CHECK(call("c", again) == 0);
  CHECK(call("a", "m2") == 1);
  CHECK(call("a", again) == 2);
  w.discard_calls();
  CHECK(call("a", "m1") == 0);
}

TEST_CASE("queue messages: two templates with the same headers (two sources' Gist) are one run, as the host compares") {
  call_template const a{"gist", "POST", {header_line::secret("authorization", "GIST_API_KEY", secret_format::bearer)}};
  call_template const b{"gist", "POST", {header_line::secret("authorization", "GIST_API_KEY", secret_format::bearer)}};
  call_template const c{"gist", "POST", {header_line::secret("authorization", "OTHER_KEY", secret_format::bearer)}};
  plan p;
  plan_writer w(p);
  for (auto const* t : {&a, &b, &c}) {
    w.begin_request(*t, "https://x.test/e", "m1", "u1");
    w.body(w.text("{}"));
  }
  write_queue_messages(p);
  REQUIRE(p.messages.size() == 1);
  auto const text = messages_of(p)[0];
  CHECK(text.find(R"("headers":[{"name":"authorization","secret":"GIST_API_KEY","format":"bearer"}],"url":)") !=
        std::string::npos);
  // The second template's call names no headers of its own; the third's names its own.
  CHECK(text.find(R"({"bodyLength":2,"messageId":"m1","ordinal":1})") != std::string::npos);
  CHECK(text.find(R"({"headers":[{"name":"authorization","secret":"OTHER_KEY","format":"bearer"}],"bodyLength":)") !=
        std::string::npos);
}

TEST_CASE("queue messages: a template's header run is the text the writer renders for the same headers") {
  // Escapes, an empty value, a secret with and without a format, a template with no headers.
  call_template const a{
      "gist",
      "POST",
      {header_line::literal("content-type", "application/json"), header_line::literal("x-quote", "say \"hi\"\\\n"),
       header_line::literal("x-empty", ""), header_line::secret("authorization", "GIST_API_KEY", secret_format::bearer),
       header_line::secret("x-basic", "B", secret_format::basic_username)}};
  call_template const b{"gainsight", "PUT", {}};
  call_template const c{"gainsight_px", "POST", {header_line::secret("x-key", "PX_KEY", secret_format::raw)}};
  // Another run in a's chain (same destination and order key): its calls name their own headers.
  call_template const a2{"gist", "POST", {header_line::literal("x-other", "1")}};
  auto const planned = [&](bool forget_some) {
    plan p;
    plan_writer w(p);
    for (auto const* t : {&a, &b, &c, &a2, &a, &c, &a2}) {
      w.begin_request(*t, "https://x.test/e", "m1", "u1");
      w.body(w.text("{}"));
    }
    CHECK(p.header_runs.size() == 4);
    // Rendered by the writer instead: none of the runs, or the first and the last.
    if (forget_some)
      p.header_runs.erase(p.header_runs.begin() + 1);
    else
      p.header_runs.clear();
    return p;
  };
  plan with;
  {
    plan_writer w(with);
    for (auto const* t : {&a, &b, &c, &a2, &a, &c, &a2}) {
      w.begin_request(*t, "https://x.test/e", "m1", "u1");
      w.body(w.text("{}"));
    }
  }
  write_queue_messages(with);
  CHECK(a.headers_json() ==
        R"([{"name":"content-type","value":"application/json"},{"name":"x-quote","value":"say \"hi\"\\\n"},)"
        R"({"name":"x-empty","value":""},{"name":"authorization","secret":"GIST_API_KEY","format":"bearer"},)"
        R"({"name":"x-basic","secret":"B","format":"basic_username"}])");
  CHECK(b.headers_json() == "[]");
  REQUIRE(with.messages.size() == 1);
  CHECK(messages_of(with)[0].find(R"({"headers":[{"name":"x-other","value":"1"}],"bodyLength":)") != std::string::npos);
  for (bool some : {false, true}) {
    CAPTURE(some);
    auto without = planned(some);
    write_queue_messages(without);
    CHECK(messages_of(without) == messages_of(with));
  }
}
