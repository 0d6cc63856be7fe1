// Gist destination: every mapping rule of docs/destinations/gist.md, run through the whole core
// the way a host runs it (plan_fixture.hpp), plus the named transforms on their own.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "destinations/gist/gist_mapping.hpp"
#include "destinations/gist/gist_values.hpp"
#include "plan_fixture.hpp"

namespace {

namespace bj = boost::json;
using ajs::test::call;
using ajs::test::outcome;

// A source "wk" with one Gist destination; `extra` adds settings, e.g. R"(,"pages":true)".
ajs::config gist_config(std::string const& extra = "") {
  return ajs::test::make_config(
      R"({"sources":[{"writeKey":"wk","destinations":{"gist":{"apiKey":{"secret":"GIST_API_KEY"})" + extra + "}}}]}");
}

// POST /v1/<endpoint> with the source's writeKey as Basic auth ("wk:").
outcome post(ajs::config const& cfg, std::string const& endpoint, std::string body) {
  ajs::test::request r;
  r.url = "https://edge.example.com/v1/" + endpoint;
  r.headers = {{"authorization", "Basic d2s6"}};
  r.body = std::move(body);
  return ajs::test::run(cfg, r);
}

outcome identify(std::string const& traits, std::string const& extra = "", std::string const& settings = "") {
  return post(gist_config(settings), "i", R"({"messageId":"m1","userId":"u1","traits":)" + traits + extra + "}");
}

// The one planned call of an outcome (fails the test when there is not exactly one).
call only_call(outcome const& o) {
  REQUIRE(o.calls.size() == 1);
  return o.calls[0];
}

bj::value json(std::string_view text) { return bj::parse(text); }

// A member of a JSON object, or null (tests read bodies without throwing accessors).
bj::value field(bj::value const& v, std::string_view key) {
  if (auto const* o = v.if_object())
    if (auto const* f = o->if_contains(key)) return *f;
  return nullptr;
}

bj::value custom_properties(outcome const& o) { return field(only_call(o).json(), "custom_properties"); }

bj::value signed_up_at_for(std::string const& created_at) {
  return field(only_call(identify(R"({"email":"a@b.co","createdAt":)" + created_at + "}")).json(), "signed_up_at");
}

void check_gist_headers(call const& c) {
  REQUIRE(c.headers.size() == 3);
  CHECK(c.headers[0].name == "authorization");
  CHECK(c.headers[0].value == "");
  CHECK(c.headers[0].secret == "GIST_API_KEY");
  CHECK(c.headers[0].format == ajs::secret_format::bearer);
  CHECK(c.headers[1].name == "content-type");
  CHECK(c.headers[1].value == "application/json");
  CHECK(c.headers[2].name == "accept");
  CHECK(c.headers[2].value == "application/json");
}

}  // namespace

// ---- The seed examples (Segment's Gist destination page) ----

TEST_CASE("gist: seed identify('userId123', {email}) becomes exactly one contact upsert") {
  auto o = post(gist_config(), "identify",
                R"({"messageId":"m1","userId":"userId123","traits":{"email":"john.doe@example.com"}})");
  CHECK(o.status == 200);
  auto c = only_call(o);
  CHECK(c.destination == "gist");
  CHECK(c.method == "POST");
  CHECK(c.url == "https://api.getgist.com/contacts");
  check_gist_headers(c);
  CHECK(c.body == R"({"user_id":"userId123","email":"john.doe@example.com"})");
  CHECK(c.message_id == "m1");
  CHECK(c.order_key == "userId123");
  CHECK(c.flags == 0);  // a 404 from the upsert is a real error
  CHECK(o.notes.empty());
}

TEST_CASE("gist: seed track('Login Button Clicked') becomes exactly one event for the user") {
  auto o = post(gist_config(), "track", R"({"messageId":"m2","userId":"userId123","event":"Login Button Clicked"})");
  CHECK(o.status == 200);
  auto c = only_call(o);
  CHECK(c.destination == "gist");
  CHECK(c.method == "POST");
  CHECK(c.url == "https://api.getgist.com/events");
  check_gist_headers(c);
  CHECK(c.body == R"({"event_name":"Login Button Clicked","user_id":"userId123","occurred_at":1785578400})");
  CHECK(c.message_id == "m2");
  CHECK(c.order_key == "userId123");
  // analytics.js sends the identify that creates the contact as another request: a 404 here may
  // only mean "not yet".
  CHECK(c.flags == ajs::retry_not_found);
}

// ---- identify: required fields ----

TEST_CASE("gist: identify without email sends nothing and notes gist.email_required") {
  auto o = identify(R"({"name":"Ann"})");
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.email_required"});
}

TEST_CASE("gist: identify without userId sends nothing and notes gist.user_id_required") {
  auto o = post(gist_config(), "i", R"({"messageId":"m1","anonymousId":"a1","traits":{"email":"a@b.co"}})");
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.user_id_required"});
}

TEST_CASE("gist: identify with an unusable email is dropped as gist.email_required") {
  auto o = identify(R"({"email":"not an email"})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.email_required"});
}

TEST_CASE("gist: identify takes the email from context.traits when traits have none") {
  auto o = identify(R"({"plan":"pro"})", R"(,"context":{"traits":{"email":"ctx@b.co"}})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"ctx@b.co","custom_properties":{"plan":"pro"}})"));
}

TEST_CASE("gist: identify prefers traits.email to context.traits.email") {
  auto o = identify(R"({"email":"own@b.co"})", R"(,"context":{"traits":{"email":"ctx@b.co"}})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"own@b.co"})"));
}

TEST_CASE("gist: a numeric userId is sent as the string user_id") {
  auto o = post(gist_config(), "i", R"({"messageId":"m1","userId":12345,"traits":{"email":"a@b.co"}})");
  CHECK(only_call(o).body == R"({"user_id":"12345","email":"a@b.co"})");
}

// ---- identify: reserved traits → Gist's own contact fields ----

TEST_CASE("gist: reserved traits and context become Gist's own contact fields") {
  auto o = identify(
      R"({"email":" ann@b.co ","name":"Ann Lee","phone":"+15555550100","createdAt":"2026-08-01T10:00:00Z","unsubscribed":true})",
      R"(,"context":{"ip":"203.0.113.7","userAgent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"})");
  CHECK(
      only_call(o).body ==
      R"({"user_id":"u1","email":"ann@b.co","name":"Ann Lee","phone":"+15555550100","signed_up_at":1785578400,)"
      R"("last_seen_ip":"203.0.113.7","last_seen_user_agent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0","unsubscribed_from_emails":true})");
}

TEST_CASE("gist: context.ip filled from CF-Connecting-IP becomes last_seen_ip, for client-side events only") {
  ajs::test::request r;
  r.url = "https://edge.example.com/v1/i";
  r.headers = {{"authorization", "Basic d2s6"}, {"cf-connecting-ip", "198.51.100.9"}};
  r.body =
      R"({"messageId":"m1","userId":"u1","traits":{"email":"a@b.co"},"context":{"library":{"name":"analytics.js"}}})";
  CHECK(only_call(ajs::test::run(gist_config(), r)).body ==
        R"({"user_id":"u1","email":"a@b.co","last_seen_ip":"198.51.100.9"})");
  // A server's event: the caller's address is the server's, and Segment does not fill it in.
  r.body = R"({"messageId":"m1","userId":"u1","traits":{"email":"a@b.co"}})";
  CHECK(only_call(ajs::test::run(gist_config(), r)).body == R"({"user_id":"u1","email":"a@b.co"})");
}

TEST_CASE("gist: name is firstName + lastName when traits have no name") {
  auto o = identify(R"({"email":"a@b.co","firstName":"Ann","lastName":"Lee"})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"a@b.co","name":"Ann Lee"})"));
}

TEST_CASE("gist: a name that is not text is passed over for firstName + lastName") {
  auto o = identify(R"({"email":"a@b.co","name":true,"firstName":"Ann","lastName":"Lee"})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"a@b.co","name":"Ann Lee"})"));
}

TEST_CASE("gist: snake_case first_name and last_name make the name too") {
  auto o = identify(R"({"email":"a@b.co","first_name":"Ann","last_name":"Lee"})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"a@b.co","name":"Ann Lee"})"));
}

TEST_CASE("gist: non-ASCII names and keys pass through byte for byte") {
  auto o = identify(R"({"email":"zoë@exämple.com","name":"Zoë Ångström 山田","Café Préféré":"crème"})");
  CHECK(
      only_call(o).json() ==
      json(
          R"({"user_id":"u1","email":"zoë@exämple.com","name":"Zoë Ångström 山田","custom_properties":{"café_préféré":"crème"}})"));
}

TEST_CASE("gist: unsubscribedFromEmails given as text is read as a flag") {
  auto o = identify(R"({"email":"a@b.co","unsubscribedFromEmails":"false"})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"a@b.co","unsubscribed_from_emails":false})"));
  auto yes = identify(R"({"email":"a@b.co","unsubscribedFromEmails":"true"})");
  CHECK(only_call(yes).json() == json(R"({"user_id":"u1","email":"a@b.co","unsubscribed_from_emails":true})"));
}

TEST_CASE("gist: an email needs text before and after one @") {
  for (auto bad : {"@b.co", "a@", "a@b@c.co", "a@@b.co", "ab.co"}) {
    auto o = identify(std::string(R"({"email":")") + bad + R"("})");
    CHECK_MESSAGE(o.calls.empty(), bad);
  }
  CHECK(field(only_call(identify(R"({"email":"a@b"})")).json(), "email") == "a@b");
}

TEST_CASE("gist: a phone past int64 is written out whole") {
  auto o = identify(R"({"email":"a@b.co","phone":18446744073709551615})");
  CHECK(field(only_call(o).json(), "phone") == "18446744073709551615");
}

TEST_CASE("gist: createdAt a whole number of seconds before 1970 is exactly that second") {
  CHECK(signed_up_at_for(R"("1969-12-31T23:59:58Z")") == bj::value(-2));
}

TEST_CASE("gist: a phone sent as a number is sent as text") {
  auto o = identify(R"({"email":"a@b.co","phone":15555550100})");
  CHECK(only_call(o).json() == json(R"({"user_id":"u1","email":"a@b.co","phone":"15555550100"})"));
}

// ---- Defaults ----

TEST_CASE("gist: by default a page sends nothing and tags stay on the contact") {
  auto page = post(gist_config(), "p", R"({"messageId":"m1","userId":"u1","name":"Home"})");
  CHECK(page.status == 200);
  CHECK(page.calls.empty());
  auto o = identify(R"({"email":"a@b.co","tags":["vip"]})");
  REQUIRE(o.calls.size() == 1);
  CHECK(o.calls[0].url.find("/contacts") != std::string::npos);
  CHECK(o.calls[0].json().at("tags") == json(R"(["vip"])"));
}

// ---- Dates: Unix seconds ----

TEST_CASE("gist: createdAt as ISO with Z becomes signed_up_at in Unix seconds") {
  CHECK(signed_up_at_for(R"("2026-08-01T10:00:00.999Z")") == bj::value(1785578400));
}

TEST_CASE("gist: createdAt as ISO with an offset is converted to UTC seconds") {
  CHECK(signed_up_at_for(R"("2026-08-01T12:00:00+02:00")") == bj::value(1785578400));
}

TEST_CASE("gist: createdAt as a date only is midnight UTC") {
  CHECK(signed_up_at_for(R"("2026-08-01")") == bj::value(1785542400));
}

TEST_CASE("gist: createdAt as epoch seconds is kept") {
  CHECK(signed_up_at_for("1785578400") == bj::value(1785578400));
}

TEST_CASE("gist: createdAt as epoch milliseconds is divided to seconds") {
  CHECK(signed_up_at_for("1785578400500") == bj::value(1785578400));
}

TEST_CASE("gist: epoch numbers are seconds below 100,000,000,000 and milliseconds from there, both signs") {
  CHECK(signed_up_at_for("99999999999") == bj::value(99999999999));
  CHECK(signed_up_at_for("100000000000") == bj::value(100000000));
  CHECK(signed_up_at_for("-99999999999") == bj::value(-99999999999));
  CHECK(signed_up_at_for("-100000000000") == bj::value(-100000000));
  CHECK(signed_up_at_for("-100000000001") == bj::value(-100000001));  // milliseconds round down, as for dates
}

TEST_CASE("gist: createdAt as a digit string is read as epoch") {
  CHECK(signed_up_at_for(R"("1785578400")") == bj::value(1785578400));
}

TEST_CASE("gist: createdAt before 1970 rounds down to the earlier second") {
  CHECK(signed_up_at_for(R"("1969-12-31T23:59:59.500Z")") == bj::value(-1));
}

TEST_CASE("gist: an unreadable createdAt is left out, not sent as a custom property") {
  auto o = identify(R"({"email":"a@b.co","createdAt":"last tuesday"})");
  CHECK(only_call(o).body == R"({"user_id":"u1","email":"a@b.co"})");
}

// ---- Custom properties ----

TEST_CASE("gist: other traits become custom properties typed as Gist types them") {
  auto o = identify(
      R"({"email":"a@b.co","vip":true,"seats":5,"ratio":2.0,"score":4.75,"website":"https://x.example","billing":"bill@x.example",)"
      R"("nickname":null,"roles":["admin","owner",3,true]})");
  CHECK(
      custom_properties(o) ==
      json(R"({"vip":true,"seats":5,"ratio":2,"score":"4.75","website":"https://x.example","billing":"bill@x.example",)"
           R"("nickname":null,"roles":"admin, owner, 3, true"})"));
}

// Gist's documented rule, and nothing more: lower-cased, spaces as underscores.
TEST_CASE("gist: custom property keys are the names lower-cased, spaces as underscores") {
  auto o = identify(
      R"({"email":"a@b.co","planName":"pro","Favourite Colour":"red","last30Days":1,"HTMLVersion":5,"dash-key":1})");
  CHECK(custom_properties(o) ==
        json(R"({"planname":"pro","favourite_colour":"red","last30days":1,"htmlversion":5,"dash-key":1})"));
}

TEST_CASE("gist: two traits naming one property keep the first") {
  auto o = identify(R"({"email":"a@b.co","Plan Name":"first","plan_name":"second"})");
  CHECK(custom_properties(o) == json(R"({"plan_name":"first"})"));
}

TEST_CASE("gist: past 16 properties too, a key is written once and the first value stays") {
  // The first 16 keys are compared one by one, later ones in a table: repeats on both sides.
  std::string traits = R"({"email":"a@b.co")";
  for (int i = 0; i < 40; ++i) traits += ",\"t" + std::to_string(i) + "\":" + std::to_string(i);
  traits += R"(,"T5":"again","T 30":"again","T39":"again","nested":{"a":1},"Nested":{"A":2},"__proto__":3})";
  auto const body = only_call(identify(traits)).body;
  for (auto key : {"\"t5\":", "\"t30\":", "\"t39\":", "\"nested_a\":"}) {
    auto const first = body.find(key);
    CHECK_MESSAGE((first != std::string::npos && body.find(key, first + 1) == std::string::npos), key);
  }
  auto const props = custom_properties(identify(traits));
  CHECK(props.as_object().size() == 42);  // t0…t39, t_30, nested_a
  CHECK(field(props, "t5") == 5);
  CHECK(field(props, "t30") == 30);  // "T 30" is t_30, another key
  CHECK(field(props, "t_30") == "again");
  CHECK(field(props, "t39") == 39);
  CHECK(field(props, "nested_a") == 1);
  CHECK(body.find("__proto__") == std::string::npos);
}

TEST_CASE("gist: nested traits are flattened with underscores") {
  auto o = identify(
      R"({"email":"a@b.co","address":{"city":"Paris","postalCode":"75001","geo":{"lat":48.87}},"company":{"name":"Acme","id":7}})");
  CHECK(
      custom_properties(o) ==
      json(
          R"({"address_city":"Paris","address_postalcode":"75001","address_geo_lat":"48.87","company_name":"Acme","company_id":7})"));
}

TEST_CASE("gist: ISO date traits become Unix seconds under an _at key") {
  auto o = identify(R"({"email":"a@b.co","trial_ends_at":"2026-09-01T00:00:00Z","birthday":"1990-05-01"})");
  CHECK(custom_properties(o) == json(R"({"trial_ends_at":1788220800,"birthday_at":641520000})"));
}

TEST_CASE("gist: epoch milliseconds under an _at key become seconds") {
  auto o = identify(R"({"email":"a@b.co","last_order_at":1788220800000,"renewed_at":1788220800})");
  CHECK(custom_properties(o) == json(R"({"last_order_at":1788220800,"renewed_at":1788220800})"));
}

TEST_CASE("gist: out-of-range numbers are left out of dates and kept as text elsewhere") {
  auto o = identify(
      R"({"email":"a@b.co","createdAt":-1e300,"a_at":1e300,"b_at":-9223372036854775808,"c_at":18446744073709551615,)"
      R"("big":1e300,"huge":18446744073709551615,"deep":{"er":{"est":{"x":1}}}})");
  CHECK(only_call(o).json() ==
        json(R"({"user_id":"u1","email":"a@b.co","custom_properties":{"b_at":-9223372036854776,"big":"1e+300",)"
             R"("huge":18446744073709552000,"deep_er_est_x":1}})"));  // past 2^53: as JavaScript writes it
}

TEST_CASE("gist: 1,000 traits become 1,000 custom properties") {
  std::string traits = R"({"email":"a@b.co")";
  for (int i = 0; i < 1000; ++i) traits += ",\"t" + std::to_string(i) + "\":" + std::to_string(i);
  traits += "}";
  auto props = custom_properties(identify(traits));
  REQUIRE(props.is_object());
  CHECK(props.get_object().size() == 1000);
  CHECK(field(props, "t0") == bj::value(0));
  CHECK(field(props, "t999") == bj::value(999));
}

TEST_CASE("gist: Engage audience booleans update the contact as boolean custom properties") {
  auto o = post(
      gist_config(), "i",
      R"({"messageId":"m1","userId":"u1","traits":{"email":"a@b.co","order_completed_last_30days":true,"churn_risk":false},)"
      R"("context":{"personas":{"computation_class":"audience","computation_key":"order_completed_last_30days"}},)"
      R"("integrations":{"All":false,"Gist":true}})");
  CHECK(
      only_call(o).body ==
      R"({"user_id":"u1","email":"a@b.co","custom_properties":{"order_completed_last_30days":true,"churn_risk":false}})");
}

// ---- Tags ----

TEST_CASE("gist: a tags list becomes the contact's tags") {
  auto o = identify(R"({"email":"a@b.co","tags":["trial"," vip ","trial",""]})");
  CHECK(only_call(o).body == R"({"user_id":"u1","email":"a@b.co","tags":["trial","vip"]})");
}

TEST_CASE("gist: a comma-separated tags string becomes the contact's tags") {
  auto o = identify(R"({"email":"a@b.co","tags":"trial, vip"})");
  CHECK(only_call(o).body == R"({"user_id":"u1","email":"a@b.co","tags":["trial","vip"]})");
}

TEST_CASE("gist: with tags off, a tags object adds the true ones and cannot remove") {
  auto o = identify(R"({"email":"a@b.co","tags":{"vip":true,"trial":false}})");
  CHECK(only_call(o).body == R"({"user_id":"u1","email":"a@b.co","tags":["vip"]})");
}

TEST_CASE("gist: with tags on, each tag is a POST /tags call after the contact upsert") {
  auto o = identify(R"({"email":"a@b.co","tags":{"vip":true,"trial":false}})", "", R"(,"tags":true)");
  REQUIRE(o.calls.size() == 3);
  CHECK(o.calls[0].url == "https://api.getgist.com/contacts");
  CHECK(o.calls[0].body == R"({"user_id":"u1","email":"a@b.co"})");
  CHECK(o.calls[1].url == "https://api.getgist.com/tags");
  CHECK(o.calls[1].method == "POST");
  check_gist_headers(o.calls[1]);
  CHECK(o.calls[1].body == R"({"name":"vip","contacts":[{"user_id":"u1","email":"a@b.co"}]})");
  CHECK(o.calls[2].body == R"({"name":"trial","contacts":[{"user_id":"u1","email":"a@b.co","untag":true}]})");
  CHECK(o.calls[2].message_id == "m1");
  CHECK(o.calls[2].order_key == "u1");
}

TEST_CASE("gist: with tags on, an identify without tags makes only the upsert") {
  auto o = identify(R"({"email":"a@b.co"})", "", R"(,"tags":true)");
  CHECK(only_call(o).url == "https://api.getgist.com/contacts");
}

TEST_CASE("gist: a tag call carries at most 50 contacts") {
  std::vector<std::string> contacts;
  for (int i = 0; i < 120; ++i) contacts.push_back(R"("user_id":"u)" + std::to_string(i) + '"');
  std::vector<bj::value> bodies;
  for (auto const& text : ajs::gist::tag_bodies("vip", false, contacts)) bodies.push_back(bj::parse(text));
  REQUIRE(bodies.size() == 3);
  auto size = [](bj::value const& body) {
    auto list = field(body, "contacts");
    return list.is_array() ? list.get_array().size() : 0;
  };
  CHECK(size(bodies[0]) == 50);
  CHECK(size(bodies[1]) == 50);
  CHECK(size(bodies[2]) == 20);
  CHECK(bj::serialize(bodies[2]).find(R"({"user_id":"u119"}]})") != std::string::npos);
  CHECK(field(bodies[0], "name") == bj::value("vip"));
  contacts.resize(100);  // exactly two calls' worth: no third, empty call
  CHECK(ajs::gist::tag_bodies("vip", false, contacts).size() == 2);
}

// ---- track ----

TEST_CASE("gist: track without userId but with an email creates the contact from the email") {
  auto o = post(gist_config(), "t",
                R"({"messageId":"m1","anonymousId":"a1","event":"Signed Up","context":{"traits":{"email":"a@b.co"}}})");
  auto c = only_call(o);
  CHECK(c.body == R"({"event_name":"Signed Up","email":"a@b.co","occurred_at":1785578400})");
  CHECK(c.order_key == "a1");
}

TEST_CASE("gist: track with userId and email sends both identifiers") {
  auto o = post(gist_config(), "t",
                R"({"messageId":"m1","userId":"u1","event":"Signed Up","properties":{"email":"a@b.co"}})");
  CHECK(
      only_call(o).body ==
      R"({"event_name":"Signed Up","user_id":"u1","email":"a@b.co","occurred_at":1785578400,"properties":{"email":"a@b.co"}})");
}

TEST_CASE("gist: track without userId or email is dropped as gist.user_id_or_email_required") {
  auto o = post(gist_config(), "t", R"({"messageId":"m1","anonymousId":"a1","event":"Signed Up"})");
  CHECK(o.status == 200);
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.user_id_or_email_required"});
}

TEST_CASE("gist: track event names are sent as written, Gist normalises them") {
  auto o = post(gist_config(), "t", R"({"messageId":"m1","userId":"u1","event":"Order.Completed $Big"})");
  CHECK(field(only_call(o).json(), "event_name") == bj::value("Order.Completed $Big"));
}

TEST_CASE("gist: track properties keep their keys, nesting flattened and lists as text") {
  auto o = post(
      gist_config(), "t",
      R"({"messageId":"m1","userId":"u1","event":"Order Completed","properties":)"
      R"({"orderId":"o42","revenue":99.5,"paid":true,"coupon":null,"product":{"sku":"s1","price":{"amount":10}},"tags":["a","b"]}})");
  CHECK(
      field(only_call(o).json(), "properties") ==
      json(
          R"({"orderId":"o42","revenue":99.5,"paid":true,"coupon":null,"product_sku":"s1","product_price_amount":10,"tags":"a, b"})"));
}

TEST_CASE("gist: occurred_at is the skew-corrected timestamp in Unix seconds") {
  // Client clock 60 s behind: timestamp 09:59:00, sentAt 09:59:30, received 10:00:00.5 → 09:59:30.5.
  auto o = post(
      gist_config(), "t",
      R"({"messageId":"m1","userId":"u1","event":"E","timestamp":"2026-08-01T09:59:00.000Z","sentAt":"2026-08-01T09:59:30.000Z"})");
  CHECK(field(only_call(o).json(), "occurred_at") == bj::value(1785578370));
}

TEST_CASE("gist: track for a numeric userId sends it as a string") {
  auto o = post(gist_config(), "t", R"({"messageId":"m1","userId":42,"event":"E"})");
  CHECK(field(only_call(o).json(), "user_id") == bj::value("42"));
}

// ---- page ----

TEST_CASE("gist: page is skipped by default and says so") {
  auto o = post(gist_config(), "p", R"({"messageId":"m1","userId":"u1","name":"Pricing"})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gist m1 gist.pages_off"});
}

TEST_CASE("gist: with pages on, a named page is the event Viewed <name> Page") {
  auto o = post(
      gist_config(R"(,"pages":true)"), "p",
      R"({"messageId":"m1","userId":"u1","name":"Pricing","properties":{"url":"https://x.example/pricing","path":"/pricing"}})");
  auto c = only_call(o);
  CHECK(c.url == "https://api.getgist.com/events");
  CHECK(
      c.body ==
      R"({"event_name":"Viewed Pricing Page","user_id":"u1","occurred_at":1785578400,"properties":{"url":"https://x.example/pricing","path":"/pricing"}})");
}

TEST_CASE("gist: with pages on, an unnamed page is the event Viewed Page") {
  auto o = post(gist_config(R"(,"pages":true)"), "p", R"({"messageId":"m1","userId":"u1"})");
  CHECK(only_call(o).body == R"({"event_name":"Viewed Page","user_id":"u1","occurred_at":1785578400})");
}

TEST_CASE("gist: pageEventName names every page event") {
  auto o = post(gist_config(R"(,"pages":true,"pageEventName":"Page View")"), "p",
                R"({"messageId":"m1","userId":"u1","name":"Pricing"})");
  CHECK(field(only_call(o).json(), "event_name") == bj::value("Page View"));
}

// ---- group ----

TEST_CASE("gist: group is skipped by default and says so") {
  auto o = post(gist_config(), "g", R"({"messageId":"m1","userId":"u1","groupId":"g1"})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gist m1 gist.groups_off"});
}

TEST_CASE("gist: groups company sets the member's company_* custom properties") {
  auto o = post(
      gist_config(R"(,"groups":"company")"), "g",
      R"({"messageId":"m1","userId":"u1","groupId":"g1","traits":{"name":"Acme","plan":"Enterprise","email":"billing@acme.example","employees":120,"createdAt":"2026-08-01"},"context":{"traits":{"email":"a@b.co"}}})");
  auto c = only_call(o);
  CHECK(c.url == "https://api.getgist.com/contacts");
  CHECK(
      c.body ==
      R"({"user_id":"u1","email":"a@b.co","custom_properties":{"company_id":"g1","company_name":"Acme","company_plan":"Enterprise",)"
      R"("company_email":"billing@acme.example","company_employees":120,"company_createdat_at":1785542400}})");
}

TEST_CASE("gist: groups tag tags the member with company:<groupId>") {
  auto o = post(gist_config(R"(,"groups":"tag")"), "g",
                R"({"messageId":"m1","userId":"u1","groupId":777,"traits":{"name":"Acme"}})");
  auto c = only_call(o);
  CHECK(c.url == "https://api.getgist.com/tags");
  CHECK(c.body == R"({"name":"company:777","contacts":[{"user_id":"u1"}]})");
}

TEST_CASE("gist: group without userId or member email is dropped") {
  auto o = post(gist_config(R"(,"groups":"company")"), "g",
                R"({"messageId":"m1","anonymousId":"a1","groupId":"g1","traits":{"email":"billing@acme.example"}})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"dropped gist m1 gist.user_id_or_email_required"});
}

// ---- other calls, routing, order ----

TEST_CASE("gist: screen and alias are skipped as unsupported") {
  auto o = post(gist_config(), "batch",
                R"({"batch":[{"type":"screen","messageId":"m1","userId":"u1","name":"Home"},)"
                R"({"type":"alias","messageId":"m2","userId":"u1","previousId":"a1"}]})");
  CHECK(o.calls.empty());
  CHECK(o.notes ==
        std::vector<std::string>{"skipped gist m1 gist.unsupported_type", "skipped gist m2 gist.unsupported_type"});
}

TEST_CASE("gist: integrations {Gist: false} sends nothing to Gist") {
  auto o = post(gist_config(), "t", R"({"messageId":"m1","userId":"u1","event":"E","integrations":{"Gist":false}})");
  CHECK(o.calls.empty());
  CHECK(o.notes == std::vector<std::string>{"skipped gist m1 integrations"});
}

TEST_CASE("gist: integrations {All: false, Gist: true} still sends to Gist") {
  auto o = post(gist_config(), "t",
                R"({"messageId":"m1","userId":"u1","event":"E","integrations":{"All":false,"Gist":true}})");
  CHECK(only_call(o).url == "https://api.getgist.com/events");
}

TEST_CASE("gist: an identify followed by a track in one batch is planned in that order") {
  auto o = post(gist_config(), "batch",
                R"({"batch":[{"type":"identify","messageId":"m1","userId":"u1","traits":{"email":"a@b.co"}},)"
                R"({"type":"track","messageId":"m2","userId":"u1","event":"E"}]})");
  REQUIRE(o.calls.size() == 2);
  CHECK(o.calls[0].url == "https://api.getgist.com/contacts");
  CHECK(o.calls[1].url == "https://api.getgist.com/events");
  CHECK(o.calls[0].order_key == o.calls[1].order_key);
}

// ---- Settings ----

TEST_CASE("gist: endpoint overrides the base URL") {
  auto o = post(gist_config(R"(,"endpoint":"https://127.0.0.1:8787/")"), "t",
                R"({"messageId":"m1","userId":"u1","event":"E"})");
  CHECK(only_call(o).url == "https://127.0.0.1:8787/events");
}

TEST_CASE("gist: the config declares the API key secret the host must provide") {
  auto cfg = gist_config();
  REQUIRE(cfg.secrets.size() == 1);
  CHECK(cfg.secrets[0].binding == "GIST_API_KEY");
  CHECK(cfg.secrets[0].field == "sources[0].destinations.gist.apiKey");
  CHECK(cfg.secrets[0].pattern == R"(^\S+$)");
}

TEST_CASE("gist: consentCategories is an accepted setting") {
  auto cfg = ajs::parse_config(
      R"({"sources":[{"writeKey":"wk","destinations":{"gist":{"apiKey":{"secret":"K"},"consentCategories":["C0004"]}}}]})");
  CHECK(cfg.has_value());
}

namespace {
std::string config_error(std::string const& gist_settings) {
  auto cfg = ajs::parse_config(R"({"sources":[{"writeKey":"wk","destinations":{"gist":)" + gist_settings + "}}]}");
  return cfg ? std::string("accepted") : cfg.error().message;
}
}  // namespace

TEST_CASE("gist: a literal apiKey string is refused") {
  CHECK(
      config_error(R"({"apiKey":"sk_live_123"})") ==
      R"(sources[0].destinations.gist.apiKey: must be {"secret": "BINDING_NAME"} naming a Worker secret; credentials are never written in the config)");
}

TEST_CASE("gist: a missing apiKey is refused") {
  CHECK(config_error("{}") == R"(sources[0].destinations.gist.apiKey: required, as {"secret": "BINDING_NAME"})");
}

TEST_CASE("gist: an unknown setting is refused") {
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"page":true})") ==
        "sources[0].destinations.gist.page: unknown setting (known: apiKey, endpoint, pages, pageEventName, groups, "
        "tags, consentCategories)");
}

TEST_CASE("gist: groups must be off, company or tag") {
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"groups":true})") ==
        "sources[0].destinations.gist.groups: must be a string");
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"groups":"account"})") ==
        R"(sources[0].destinations.gist.groups: must be "off", "company" or "tag")");
}

TEST_CASE("gist: endpoint must be an http(s) URL") {
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"endpoint":"api.getgist.com"})") ==
        "sources[0].destinations.gist.endpoint: must be an https:// URL");
}

TEST_CASE("gist: pages and tags must be booleans") {
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"pages":"yes"})") ==
        "sources[0].destinations.gist.pages: must be true or false");
  CHECK(config_error(R"({"apiKey":{"secret":"K"},"tags":1})") ==
        "sources[0].destinations.gist.tags: must be true or false");
}

// ---- Named transforms ----

TEST_CASE("gist: property_key lower-cases names and makes each space an underscore (Gist's rule)") {
  using ajs::gist::property_key;
  CHECK(property_key("planName") == "planname");
  CHECK(property_key("Plan Name") == "plan_name");
  CHECK(property_key("Plan  Name ") == "plan__name_");  // each space
  CHECK(property_key("AZaz09") == "azaz09");            // the ranges' ends
  CHECK(property_key("@[`{") == "@[`{");                // the characters around A–Z stay
  CHECK(property_key("order_completed_last_30days") == "order_completed_last_30days");
  CHECK(property_key("__a..b--c") == "__a..b--c");    // nothing else changes
  CHECK(property_key("Émilie Zoë") == "Émilie_zoë");  // only ASCII is re-cased
}

TEST_CASE("gist: text is trimmed of spaces, tabs, carriage returns and line feeds, each alone") {
  for (auto pad : {" ", "\\t", "\\r", "\\n"}) {  // JSON escapes
    auto o = identify(std::string(R"({"email":")") + pad + "a@b.co" + pad + R"("})");
    CHECK_MESSAGE(field(only_call(o).json(), "email") == "a@b.co", pad);
  }
}

TEST_CASE("gist: numbers from 9e18 on are not whole numbers Gist can type, nor dates") {
  auto o = identify(R"({"email":"a@b.co","big":9e18,"below":8.999999999999999e18,"huge_at":9e18})");
  auto const props = custom_properties(o);
  CHECK(field(props, "big") == "9000000000000000000");             // text: past what Gist types as a whole number
  CHECK(field(props, "below") == bj::value(8999999999999999000));  // 8999999999999998976, written as JavaScript does
  CHECK(field(props, "huge_at").is_null());                        // not a date: left out
  CHECK_FALSE(ajs::gist::unix_seconds(bj::value(9e18)).has_value());
  CHECK(ajs::gist::unix_seconds(bj::value(8.999999999999999e18)).has_value());
}

TEST_CASE("gist: unix_seconds refuses what is not a date") {
  using ajs::gist::unix_seconds;
  CHECK_FALSE(unix_seconds(bj::value("soon")).has_value());
  CHECK_FALSE(unix_seconds(bj::value(true)).has_value());
  CHECK_FALSE(unix_seconds(bj::value("2026-02-30")).has_value());
  CHECK_FALSE(unix_seconds(bj::value(18446744073709551615ull)).has_value());
  CHECK(unix_seconds(bj::value(1785578400.9)) == 1785578400);
  for (auto text : {"1785578400x", "x1785578400", "17855 78400", "", " "})
    CHECK_MESSAGE(!unix_seconds(bj::value(text)).has_value(), text);
  CHECK(unix_seconds(bj::value(" 1785578400\t")) == 1785578400);
}

TEST_CASE("gist: number_text writes the shortest form that reads back") {
  CHECK(ajs::gist::number_text(4.75) == "4.75");
  CHECK(ajs::gist::number_text(0.1) == "0.1");
  CHECK(ajs::gist::number_text(1.0 / 3) == "0.3333333333333333");
}

TEST_CASE("gist: occurred_at up to the last instant of year 9999, and none past the first (as its ISO text reads)") {
  auto const occurred_at = [](std::string const& timestamp) {
    auto const body = only_call(post(gist_config(), "t",
                                     R"({"messageId":"m1","userId":"u1","event":"E","timestamp":)" + timestamp + "}"))
                          .json();
    auto const* v = body.as_object().if_contains("occurred_at");
    return v ? *v : bj::value("none");
  };
  CHECK(occurred_at("253402300799999") == bj::value(253402300799));
  CHECK(occurred_at("253402300800000") == bj::value("none"));
  // Below year 0 by a sentAt far ahead: timestamp = receivedAt − (sentAt − timestamp).
  auto const skewed = [](std::string const& sent_at) {
    auto const body =
        only_call(
            post(gist_config(), "t",
                 R"({"messageId":"m1","userId":"u1","event":"E","timestamp":"2026-08-01T10:00:00.500Z","sentAt":)" +
                     sent_at + "}"))
            .json();
    auto const* v = body.as_object().if_contains("occurred_at");
    return v ? *v : bj::value("none");
  };
  auto const received = std::int64_t{1785578400500};      // the test request's receivedAt
  auto const sent_at_for = [&](std::int64_t timestamp) {  // the sentAt that makes it `timestamp`
    return std::to_string(received + (1785578400500 - timestamp));
  };
  CHECK(skewed(sent_at_for(-62167219200000)) == bj::value(-62167219200));
  CHECK(skewed(sent_at_for(-62167219199001)) == bj::value(-62167219200));  // rounded down, as before 1970
  CHECK(skewed(sent_at_for(-62167219200001)) == bj::value("none"));
  CHECK(occurred_at(R"("2026-08-01T10:00:00.999Z")") == bj::value(1785578400));
}
