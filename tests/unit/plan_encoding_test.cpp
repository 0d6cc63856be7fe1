#include <doctest/doctest.h>

#include "plan/plan_encoding.hpp"
#include "plan/plan_writer.hpp"
#include "json/serialized_size.hpp"
#include "json/write_json.hpp"
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace ajs;

namespace {
call_template const gist_call{"gist",
                              "POST",
                              {header_line::literal("content-type", "application/json"),
                               header_line::secret("authorization", "GIST_API_KEY", secret_format::bearer)}};
call_template const bare_call{"gist", "POST", {}};
}  // namespace

TEST_CASE("plan encoding: everything written decodes back") {
  plan p;
  plan_writer w(p);
  w.reply(202, "{}");
  w.reply_header("content-type", "application/json");
  w.begin_request(gist_call, "https://api.example/contacts", "m1", "u1");
  w.body(w.text(R"({"a":1})"));
  w.note(note_kind::dropped, "gist", "m2", "gist.email_required");
  w.source("0123456789abcdef");
  w.source("fedcba9876543210");
  std::string bytes;
  encode_plan(p, bytes);
  auto d = decode_plan(bytes);
  REQUIRE(d.has_value());
  CHECK(d->status == 202);
  CHECK(d->view(d->reply_body) == "{}");
  REQUIRE(d->requests.size() == 1);
  auto const& r = d->requests[0];
  CHECK(d->view(r.url) == "https://api.example/contacts");
  CHECK(d->view(r.body) == R"({"a":1})");
  REQUIRE(r.header_count == 2);
  CHECK(d->view(d->request_headers[1].secret) == "GIST_API_KEY");
  CHECK(d->request_headers[1].format == secret_format::bearer);
  CHECK(d->view(d->notes[0].reason) == "gist.email_required");
  REQUIRE(d->sources.size() == 2);
  CHECK(d->view(d->sources[0]) == "0123456789abcdef");
  CHECK(d->view(d->sources[1]) == "fedcba9876543210");
}

TEST_CASE("plan encoding: made from the plan's own buffer, the same bytes as from a copy") {
  plan p;
  plan_writer w(p);
  w.reply(200, R"({"success":true})");
  w.reply_header("content-type", "application/json");
  w.begin_request(bare_call, "https://api.example/contacts", "m1", "u1");
  w.body(w.text(R"({"odd":1})"));  // 9 bytes: the data's end is padded to 4
  std::string copied, taken;
  encode_plan(p, copied);
  take_encoded_plan(p, taken);
  CHECK(copied == taken);
  CHECK(taken.size() % 4 == 0);
  auto d = decode_plan(taken);
  REQUIRE(d.has_value());
  CHECK(d->view(d->requests[0].body) == R"({"odd":1})");
  CHECK(d->view(d->reply_body) == R"({"success":true})");
}

TEST_CASE("plan encoding: repeated short strings are stored once") {
  plan p;
  plan_writer w(p);
  auto a = w.text("https://api.example/events");
  auto b = w.text("https://api.example/events");
  CHECK(a.offset == b.offset);
  CHECK(p.bytes.size() == plan_header_bytes + std::string_view("https://api.example/events").size());
}

TEST_CASE("plan encoding: truncated or corrupted plans are refused") {
  plan p;
  plan_writer w(p);
  w.reply(200, "ok");
  std::string bytes;
  encode_plan(p, bytes);
  CHECK(decode_plan(bytes).has_value());
  CHECK(!decode_plan(std::string_view(bytes).substr(0, bytes.size() - 1)).has_value());
  CHECK(!decode_plan(std::string_view(bytes).substr(0, 10)).has_value());
  std::string bad = bytes;
  bad[0] = 'X';
  CHECK(!decode_plan(bad).has_value());
}

TEST_CASE("write_json: byte for byte what boost::json::serialize writes, doubles and integers past 2^53 aside") {
  for (auto text : {R"({"a":[1,-2,9007199254740991,-9007199254740991,true,false,null],"b":{},"c":[]})",
                    R"({"esc":"q\"b\\s/\b\f\n\r\t\u0001\u001f\u007f","utf8":"é😀","":""})",
                    R"([[[[{"deep":[{"x":0}]}]]]])", "123", R"("plain")"}) {
    auto const v = boost::json::parse(text);
    std::string mine;
    ajs::json::write_json(mine, v);
    CHECK(mine == boost::json::serialize(v));
  }
}

// JSON.parse makes every number a double: past 2^53 an integer is the nearest one's digits.
TEST_CASE("write_json: integers past 2^53 are written as JavaScript writes them") {
  struct sample {
    char const* in;
    char const* js;
  };
  for (auto s : {sample{"9007199254740992", "9007199254740992"},
                 {"9007199254740993", "9007199254740992"},
                 {"-9007199254740993", "-9007199254740992"},
                 {"12345678901234567890", "12345678901234567000"},
                 {"18446744073709551615", "18446744073709552000"},
                 {"9223372036854775807", "9223372036854776000"},
                 {"-9223372036854775808", "-9223372036854776000"},
                 {"9999999999999999999", "10000000000000000000"}}) {
    std::string out;
    ajs::json::write_json(out, boost::json::parse(s.in));
    CHECK_MESSAGE(out == s.js, s.in);
    CHECK(ajs::json::serialized_size(boost::json::parse(s.in), 1000) == out.size());
  }
}

TEST_CASE("write_json: doubles are written as JavaScript writes them") {
  struct sample {
    double d;
    char const* js;
  };
  for (auto s : {sample{49.5, "49.5"},
                 {0.1, "0.1"},
                 {-2.5, "-2.5"},
                 {1e21, "1e+21"},
                 {1e20, "100000000000000000000"},
                 {123456.789, "123456.789"},
                 {1e-7, "1e-7"},
                 {1.5e-7, "1.5e-7"},
                 {0.000001, "0.000001"},
                 {-0.0, "0"},
                 {5e-324, "5e-324"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"},
                 {100.0, "100"},
                 {0.30000000000000004, "0.30000000000000004"}}) {
    std::string out;
    ajs::json::write_json(out, boost::json::value(s.d));
    CHECK(out == s.js);
  }
}

TEST_CASE("plan encoding: call flags round-trip") {
  plan p;
  plan_writer w(p);
  w.begin_request(bare_call, "https://api.example/events", "m1", "u1", retry_not_found);
  w.begin_request(bare_call, "https://api.example/contacts", "m1", "u1");
  std::string bytes;
  encode_plan(p, bytes);
  auto d = decode_plan(bytes);
  REQUIRE(d.has_value());
  CHECK(d->requests[0].flags == retry_not_found);
  CHECK(d->requests[1].flags == 0);
}
