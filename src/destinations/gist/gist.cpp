// Gist (getgist.com): Segment's classic Gist destination (identify → contact upsert, track →
// event), plus page, group and tag calls a source can switch on. The mapping itself is data in
// gist_mapping.cpp; this file decides which calls a message becomes and in what order.
// Contract: shared/reference/gist-api.md. Behaviour table: README.md "Gist".
#include "destinations/destination.hpp"
#include "destinations/gist/gist_mapping.hpp"
#include "destinations/gist/gist_settings.hpp"
#include "ingest/limits.hpp"
#include "json/arena.hpp"

namespace ajs {
namespace {

constexpr std::string_view destination_key = "gist";

class gist_planner final : public destination {
 public:
  explicit gist_planner(gist::settings s)
      : config_(std::move(s)),
        contacts_url_(config_.base_url + std::string(gist::contacts_path)),
        events_url_(config_.base_url + std::string(gist::events_path)),
        tags_url_(config_.base_url + std::string(gist::tags_path)),
        call_{destination_key,
              "POST",
              {header_line::secret("authorization", config_.api_key_binding, secret_format::bearer),
               header_line::literal("content-type", "application/json"),
               header_line::literal("accept", "application/json")}} {}

  void plan(event const& e, plan_writer& out) const override {
    // One arena per message: every body built for it is released at once. It starts in a buffer
    // on the stack, which holds a usual message's bodies: no allocation (in wasm, dlmalloc's).
    unsigned char buffer[4096];
    json::arena arena(buffer, sizeof buffer);
    boost::json::storage_ptr sp(&arena);
    gist::flat_budget keys{limits::gist_flattened_key_bytes};
    gist::mapping_input in{e.message, config_, keys};
    switch (e.type) {
      case event_type::identify: return plan_identify(e, in, sp, out);
      case event_type::track: return plan_event(e, in, gist::event_body(in, sp), out);
      case event_type::page:
        if (!config_.pages) return out.note(note_kind::skipped, destination_key, e.message_id, "gist.pages_off");
        return plan_event(e, in, gist::page_event_body(in, sp), out);
      case event_type::group: return plan_group(e, in, sp, out);
      case event_type::screen:
      case event_type::alias:
        return out.note(note_kind::skipped, destination_key, e.message_id, "gist.unsupported_type");
    }
  }

 private:
  // `flags`: retry_not_found for calls that refer to a contact (events, tags): analytics.js sends
  // the identify that creates it as a separate request, which may be delivered second.
  void call(event const& e, std::string_view url, boost::json::value const& body, plan_writer& out,
            std::uint32_t flags = 0) const {
    out.begin_request(call_, url, e.message_id, e.order_key(), flags);
    out.body_json(body);
  }

  // A body whose flattened keys ran out of room (limits::gist_flattened_key_bytes) is not sent.
  static bool too_large(event const& e, gist::mapping_input const& in, plan_writer& out) {
    if (!in.keys.exhausted) return false;
    out.note(note_kind::dropped, destination_key, e.message_id, "gist.properties_too_large");
    return true;
  }

  static bool has(boost::json::value const& body, std::string_view field) {
    return body.get_object().contains(field);  // bodies come from gist_mapping: always objects
  }

  // Segment's rule: identify needs both userId and email, else nothing reaches Gist.
  void plan_identify(event const& e, gist::mapping_input const& in, boost::json::storage_ptr sp,
                     plan_writer& out) const {
    auto const body = gist::contact_body(in, sp);
    if (too_large(e, in, out)) return;
    if (!has(body, gist::user_id_field))
      return out.note(note_kind::dropped, destination_key, e.message_id, "gist.user_id_required");
    if (!has(body, gist::email_field))
      return out.note(note_kind::dropped, destination_key, e.message_id, "gist.email_required");
    call(e, contacts_url_, body, out);
    auto const tags = gist::identify_tag_changes(in);
    if (tags.over_limit > 0) out.note(note_kind::dropped, destination_key, e.message_id, "gist.tags_over_limit");
    if (!config_.tags) return;
    // After the upsert, so that the contact exists when it is tagged.
    std::vector<boost::json::object> const contacts{gist::contact_ref(body.get_object(), sp)};
    for (auto const& change : tags.changes)
      for (auto const& tag_body : gist::tag_bodies(change.name, change.untag, contacts, sp))
        call(e, tags_url_, tag_body, out, retry_not_found);
  }

  // An event attaches to a known user_id, or creates the contact from its email (Segment: an
  // email is required to create a contact from a track).
  void plan_event(event const& e, gist::mapping_input const& in, boost::json::value const& body,
                  plan_writer& out) const {
    if (too_large(e, in, out)) return;
    if (!has(body, gist::user_id_field) && !has(body, gist::email_field))
      return out.note(note_kind::dropped, destination_key, e.message_id, "gist.user_id_or_email_required");
    call(e, events_url_, body, out, retry_not_found);
  }

  void plan_group(event const& e, gist::mapping_input const& in, boost::json::storage_ptr sp, plan_writer& out) const {
    if (config_.groups == gist::group_mode::off)
      return out.note(note_kind::skipped, destination_key, e.message_id, "gist.groups_off");
    auto const body = gist::company_contact_body(in, sp);
    if (too_large(e, in, out)) return;
    if (!has(body, gist::user_id_field) && !has(body, gist::email_field))
      return out.note(note_kind::dropped, destination_key, e.message_id, "gist.user_id_or_email_required");
    if (config_.groups == gist::group_mode::company) return call(e, contacts_url_, body, out);
    std::vector<boost::json::object> const contacts{gist::contact_ref(body.get_object(), sp)};
    for (auto const& tag_body : gist::tag_bodies(gist::group_tag_name(in), false, contacts, sp))
      call(e, tags_url_, tag_body, out, retry_not_found);
  }

  gist::settings config_;
  std::string contacts_url_, events_url_, tags_url_;
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
