// Gist (getgist.com): Segment's classic Gist destination (identify → contact upsert, track →
// event), plus page, group and tag calls a source can switch on. The mapping itself is data in
// gist_mapping.cpp; this file decides which calls a message becomes and in what order.
// Contract: shared/reference/gist-api.md. Behaviour table: README.md "Gist".
#include "destinations/destination.hpp"
#include "destinations/gist/gist_mapping.hpp"
#include "destinations/gist/gist_settings.hpp"
#include "ingest/limits.hpp"

namespace ajs {
namespace {

constexpr std::string_view destination_key = "gist";

class gist_planner final : public destination {
 public:
  explicit gist_planner(gist::settings s)
      : config_(std::move(s)),
        call_{destination_key,
              "POST",
              {header_line::secret("authorization", config_.api_key_binding, secret_format::bearer),
               header_line::literal("content-type", "application/json"),
               header_line::literal("accept", "application/json")},
              // In the order of `endpoint`.
              {config_.base_url + std::string(gist::contacts_path), config_.base_url + std::string(gist::events_path),
               config_.base_url + std::string(gist::tags_path)}} {}

  void plan(event const& e, plan_writer& out) const override {
    gist::flat_budget keys{limits::gist_flattened_key_bytes};
    gist::mapping_input in{e.message, config_, keys, out.seed(), e.timestamp_ms};
    switch (e.type) {
      case event_type::identify: return plan_identify(e, in, out);
      case event_type::track: return plan_event(e, in, gist::event_body, out);
      case event_type::page:
        if (!config_.pages) return out.note(note_kind::skipped, destination_key, e.message_id, "gist.pages_off");
        return plan_event(e, in, gist::page_event_body, out);
      case event_type::group: return plan_group(e, in, out);
      case event_type::screen:
      case event_type::alias:
        return out.note(note_kind::skipped, destination_key, e.message_id, "gist.unsupported_type");
    }
  }

 private:
  using body_mapping = gist::written_body (*)(gist::mapping_input const&, std::string&);

  // `flags`: retry_not_found for calls that refer to a contact (events, tags): analytics.js sends
  // the identify that creates it as a separate request, which may be delivered second.
  enum endpoint : std::size_t { contacts, events, tags };  // the template's URLs

  void call(event const& e, endpoint to, byte_span body, plan_writer& out, std::uint32_t flags = 0) const {
    out.begin_request(call_, call_.url(to), e.message_id, e.order_key(), flags);
    out.body(body);
  }

  static byte_span span_of(gist::written_body const& body) {
    return {static_cast<std::uint32_t>(body.begin), static_cast<std::uint32_t>(body.end - body.begin)};
  }

  // A body not sent after all: a refusal's note, the body taken back.
  static void drop(event const& e, gist::written_body const& body, std::string_view reason, plan_writer& out) {
    out.unwrite(body.begin);
    out.note(note_kind::dropped, destination_key, e.message_id, reason);
  }

  void tag_calls(event const& e, std::string_view tag, bool untag, std::vector<std::string> const& contacts,
                 plan_writer& out) const {
    for (auto const& tag_body : gist::tag_bodies(tag, untag, contacts))
      call(e, tags, out.append_text(tag_body), out, retry_not_found);
  }

  // Segment's rule: identify needs both userId and email, else nothing reaches Gist.
  void plan_identify(event const& e, gist::mapping_input const& in, plan_writer& out) const {
    auto const body = gist::contact_body(in, out.write_text());
    if (in.keys.exhausted) return drop(e, body, "gist.properties_too_large", out);
    if (!body.has_user_id()) return drop(e, body, "gist.user_id_required", out);
    if (!body.has_email()) return drop(e, body, "gist.email_required", out);
    call(e, contacts, span_of(body), out);
    auto const tags = gist::identify_tag_changes(in);
    if (tags.over_limit > 0) out.note(note_kind::dropped, destination_key, e.message_id, "gist.tags_over_limit");
    if (!config_.tags) return;
    // After the upsert, so that the contact exists when it is tagged.
    std::vector<std::string> const contacts{gist::contact_ref(out.written(span_of(body)), body)};
    for (auto const& change : tags.changes) tag_calls(e, change.name, change.untag, contacts, out);
  }

  // An event attaches to a known user_id, or creates the contact from its email (Segment: an
  // email is required to create a contact from a track).
  void plan_event(event const& e, gist::mapping_input const& in, body_mapping mapping, plan_writer& out) const {
    auto const body = mapping(in, out.write_text());
    if (dropped(e, in, body, out)) return;
    call(e, events, span_of(body), out, retry_not_found);
  }

  void plan_group(event const& e, gist::mapping_input const& in, plan_writer& out) const {
    if (config_.groups == gist::group_mode::off)
      return out.note(note_kind::skipped, destination_key, e.message_id, "gist.groups_off");
    auto const body = gist::company_contact_body(in, out.write_text());
    if (dropped(e, in, body, out)) return;
    if (config_.groups == gist::group_mode::company) return call(e, contacts, span_of(body), out);
    // Tag mode: only the member's identifiers go out, in the tag call.
    std::vector<std::string> const contacts{gist::contact_ref(out.written(span_of(body)), body)};
    out.unwrite(body.begin);
    tag_calls(e, gist::group_tag_name(in), false, contacts, out);
  }

  // An event or a member's contact needs a user_id or an email.
  static bool dropped(event const& e, gist::mapping_input const& in, gist::written_body const& body, plan_writer& out) {
    std::string_view reason;
    if (in.keys.exhausted)
      reason = "gist.properties_too_large";
    else if (!body.has_user_id() && !body.has_email())
      reason = "gist.user_id_or_email_required";
    if (reason.empty()) return false;
    drop(e, body, reason, out);
    return true;
  }

  gist::settings config_;
  call_template call_;
};

result<std::unique_ptr<destination>> make_gist(settings_reader const& reader) {
  auto s = gist::read_settings(reader);
  if (!s) return s.error();
  return std::unique_ptr<destination>(new gist_planner(std::move(*s)));
}

}  // namespace

extern destination_kind const gist_destination{"gist", "Gist", make_gist};

}  // namespace ajs
