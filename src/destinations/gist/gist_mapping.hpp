#pragma once
// The Segment → Gist mapping as data. Every Gist path and field name lives here or in the tables
// of gist_mapping.cpp ({Gist field, Segment source paths in order, transform}, read top to bottom
// like Gist's docs), so a correction to the contract (gist-api.md) is one line.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "destinations/gist/gist_settings.hpp"
#include "destinations/gist/gist_values.hpp"

namespace ajs::gist {

// Gist's REST paths, appended to the configured base URL (gist-api.md §2–§4).
inline constexpr std::string_view contacts_path = "/contacts";
inline constexpr std::string_view events_path = "/events";
inline constexpr std::string_view tags_path = "/tags";

// The two identifiers every contact and event body is checked for before it is sent.
inline constexpr std::string_view user_id_field = "user_id";
inline constexpr std::string_view email_field = "email";

struct mapping_input {
  bj::object const& message;  // the normalized Segment message
  settings const& config;
  flat_budget& keys;          // what flattening may still spend: the planner drops a body that spent it all
  std::uint64_t seed;         // the request's randomness, for the tables of flattened keys
  std::int64_t timestamp_ms;  // the skew-corrected timestamp (event::timestamp_ms)
};

// A body written as JSON text at the end of a buffer: where it is, and where the values of its
// two identifiers are inside it (length 0: the body has no such field).
struct written_body {
  struct span {
    std::size_t offset = 0, length = 0;  // from `begin`
  };
  std::size_t begin = 0, end = 0;
  span user_id, email;
  bool has_user_id() const { return user_id.length > 0; }
  bool has_email() const { return email.length > 0; }
};

// Each appends its body to `out`, written as text straight from the message (no JSON tree is
// built for it: a third of planning Gist's small events, session 14).
// identify → POST /contacts (create or update, Gist matches id > user_id > email).
written_body contact_body(mapping_input const& in, std::string& out);
// track → POST /events.
written_body event_body(mapping_input const& in, std::string& out);
// page (when `pages` is on) → POST /events.
written_body page_event_body(mapping_input const& in, std::string& out);
// group (when `groups` is "company") → POST /contacts with the member's company_* properties.
written_body company_contact_body(mapping_input const& in, std::string& out);

// identify (when `tags` is on): the tag and untag calls the `tags` trait asks for.
tag_changes_result identify_tag_changes(mapping_input const& in);
// group (when `groups` is "tag"): the tag the member gets.
std::string group_tag_name(mapping_input const& in);

// The identifiers of a written contact or event body (`text` is the body), as the members of an
// entry of a tag call's `contacts`: `"user_id":…,"email":…`.
std::string contact_ref(std::string_view text, written_body const& body);
// POST /tags bodies applying (or removing) one tag: at most 50 contacts per body, the size Gist
// says may time out above (Make's Gist app, seeds/002). `contacts`: contact_ref's.
std::vector<std::string> tag_bodies(std::string_view tag, bool untag, std::vector<std::string> const& contacts);

}  // namespace ajs::gist
