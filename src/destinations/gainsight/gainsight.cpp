// Gainsight (Customer Success): Segment's classic server-side destination, reproduced
// (segment-boneyard/integration-gainsight 1.5.2). identify, group and track go to Gainsight's
// Segment connector as the Segment message itself, one request each; Gainsight attributes them
// to accounts from traits.accountId, properties.accountId and groupId, so nothing is mapped here.
// page, screen and alias were removed from the integration in 1.1.0 and are not sent.
// Docs: README.md "Gainsight and Gainsight PX".
#include "destinations/destination.hpp"
#include "destinations/gainsight/track_whitelist.hpp"
#include "ingest/segment_dates.hpp"
#include "json/access.hpp"

namespace ajs {
namespace {

constexpr std::string_view config_key = "gainsight";
constexpr std::string_view default_endpoint = "https://event.gainsight.com";  // US1; the connector has no EU/US2 host
constexpr std::string_view event_path = "/clickstream/segmentio/event";
// Segment's catalog validator for "Access Key"; the host checks the secret's value against it.
constexpr std::string_view access_key_pattern = "^[a-z0-9-]{36}$";

// Which calls the connector receives.
constexpr event_types sent_types{event_type::identify, event_type::group, event_type::track};

// The body: facade.json() of the message, as the integration posted it. facade's constructor runs
// isodate-traverse over the message, so every ISO date string in it is a Date there, written out
// as toISOString (ingest/segment_dates.hpp). Usually that changes nothing (normalized timestamps
// are in that form already) and the body is the one PX passes through too: written here, once,
// through the traversal's hook, which says whether it changed a string (a walk of the message
// first to find out was 4-6 % of planning, session 22); else, when PX wrote it first, a walk.
byte_span facade_body(event const& e, plan_writer& out) {
  if (e.has_passthrough_body() && !isodate_traverse_changes(e.message)) return e.passthrough_body(out);
  bool rewrote = false;
  auto const body =
      out.write_body([&](std::string& text) { rewrote = write_isodate_traversed_json(text, e.message, "writeKey"); });
  if (!rewrote && !e.has_passthrough_body()) e.adopt_passthrough_body(body);
  return body;
}

class gainsight final : public destination {
 public:
  gainsight(std::string_view url, std::string access_key, track_whitelist whitelist)
      : access_key_(std::move(access_key)),
        whitelist_(std::move(whitelist)),
        call_{config_key,
              "POST",
              // Every classic integration's User-Agent (segmentio-integration 5.1.0 lib/proto.js `request`).
              {header_line::secret("accessKey", access_key_, secret_format::raw),
               header_line::literal("Content-Type", "application/json"),
               header_line::literal("User-Agent", "Segment.io/1.0")},
              {url}} {}

  void plan(event const& e, plan_writer& out) const override {
    if (!sent_types.contains(e.type)) {
      out.note(note_kind::skipped, config_key, e.message_id, "gainsight.unsupported_type");
      return;
    }
    // Segment dropped a track missing from the whitelist silently and reported success.
    if (e.type == event_type::track && !whitelist_.allows(json::string_or_empty(e.message, "event"))) {
      out.note(note_kind::skipped, config_key, e.message_id, "gainsight.not_in_whitelist");
      return;
    }
    out.begin_request(call_, call_.url(0), e.message_id, e.order_key());
    out.body(facade_body(e, out));
  }

 private:
  std::string access_key_;  // secret binding name
  track_whitelist whitelist_;
  call_template call_;
};

result<std::unique_ptr<destination>> make_gainsight(settings_reader const& settings) {
  if (auto r = settings.only_keys({"accessKey", "whitelistTrackEvents", "endpoint", "consentCategories"}); !r)
    return r.error();
  auto access_key = settings.secret("accessKey", true, access_key_pattern);
  if (!access_key) return access_key.error();
  auto names = settings.string_list("whitelistTrackEvents");
  if (!names) return names.error();
  // An empty entry matches no event yet makes the list non-empty, which would drop every track.
  for (std::size_t i = 0; i < names->size(); ++i)
    if ((*names)[i].empty())
      return config_problem(settings.field("whitelistTrackEvents") + "[" + std::to_string(i) +
                            "]: must not be empty (an event name)");
  auto endpoint = settings.base_url("endpoint", std::string(default_endpoint));
  if (!endpoint) return endpoint.error();
  return std::unique_ptr<destination>(
      new gainsight(*endpoint + std::string(event_path), std::move(*access_key), track_whitelist(*names)));
}

}  // namespace

extern destination_kind const gainsight_destination{"gainsight", "Gainsight", make_gainsight};

}  // namespace ajs
