#pragma once
// The Segment → Gist mapping as data. Every Gist path and field name lives here or in the tables
// of gist_mapping.cpp ({Gist field, Segment source paths in order, transform}, read top to bottom
// like Gist's docs), so a correction to the contract (gist-api.md) is one line.
#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
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
  flat_budget& keys;  // what flattening may still spend: the planner drops a body that spent it all
};

// identify → POST /contacts (create or update, Gist matches id > user_id > email).
bj::value contact_body(mapping_input const& in, bj::storage_ptr sp);
// track → POST /events.
bj::value event_body(mapping_input const& in, bj::storage_ptr sp);
// page (when `pages` is on) → POST /events.
bj::value page_event_body(mapping_input const& in, bj::storage_ptr sp);
// group (when `groups` is "company") → POST /contacts with the member's company_* properties.
bj::value company_contact_body(mapping_input const& in, bj::storage_ptr sp);

// identify (when `tags` is on): the tag and untag calls the `tags` trait asks for.
tag_changes_result identify_tag_changes(mapping_input const& in);
// group (when `groups` is "tag"): the tag the member gets.
std::string group_tag_name(mapping_input const& in);

// The identifiers of a contact or event body, as an entry of a tag call's `contacts`.
bj::object contact_ref(bj::object const& body, bj::storage_ptr sp);
// POST /tags bodies applying (or removing) one tag: at most 50 contacts per body, the size Gist
// says may time out above (Make's Gist app, seeds/002).
std::vector<bj::value> tag_bodies(std::string_view tag, bool untag, std::vector<bj::object> const& contacts,
                                  bj::storage_ptr sp);

}  // namespace ajs::gist
