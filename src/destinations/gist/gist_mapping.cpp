#include "destinations/gist/gist_mapping.hpp"

#include <array>

#include "ingest/timestamp.hpp"
#include "json/access.hpp"
#include "json/write_json.hpp"

namespace ajs::gist {

namespace {

// Where a source path led: the value, the object holding it and its key there. `value` is
// nullptr when no source path of a rule was present (rules with a default still run then).
struct found {
  bj::value const* value = nullptr;
  bj::object const* parent = nullptr;
  std::string_view key;
};

// Appends the Gist value's JSON text to `out` and says whether there is one (what it wrote when
// there is none is taken back).
using transform = bool (*)(found const& f, mapping_input const& in, std::string& out);

struct field_rule {
  std::string_view gist_field;
  std::array<std::string_view, 5> sources;  // dotted paths into the message, first usable wins
  transform fn;
};

void set_text(std::string& out, std::string_view s) { json::write_json_string(out, s); }

// ---- Transforms (named for what they make) ----

bool id(found const& f, mapping_input const&, std::string& out) {
  auto const* s = f.value ? f.value->if_string() : nullptr;  // normalization made numeric ids text
  if (!s || s->empty()) return false;
  set_text(out, *s);
  return true;
}

bool as_sent(found const& f, mapping_input const&, std::string& out) {
  auto const* s = f.value ? f.value->if_string() : nullptr;
  if (!s || s->empty()) return false;
  set_text(out, *s);
  return true;
}

bool text(found const& f, mapping_input const&, std::string& out) {
  auto t = f.value ? text_of(*f.value) : std::nullopt;
  if (t) set_text(out, *t);
  return t.has_value();
}

bool email(found const& f, mapping_input const&, std::string& out) {
  auto e = f.value ? usable_email(*f.value) : std::nullopt;
  if (e) set_text(out, *e);
  return e.has_value();
}

bool seconds(found const& f, mapping_input const&, std::string& out) {
  auto s = f.value ? unix_seconds(*f.value) : std::nullopt;
  if (s) json::write_json_integer(out, *s);
  return s.has_value();
}

// The skew-corrected timestamp, from the instant normalization wrote as the message's `timestamp`
// (ISO text, which unix_seconds would read back to these seconds, and not past a four-digit year):
// not parsed again for every event.
bool occurred_at(found const&, mapping_input const& in, std::string& out) {
  if (!iso8601_four_digit_year(in.timestamp_ms)) return false;
  json::write_json_integer(out, seconds_from_ms(in.timestamp_ms));
  return true;
}

bool flag(found const& f, mapping_input const&, std::string& out) {
  auto b = f.value ? flag_of(*f.value) : std::nullopt;
  if (b) out += *b ? "true" : "false";
  return b.has_value();
}

// `name` as sent; else first name + " " + last name, as Segment fills `name` itself.
bool full_name(found const& f, mapping_input const&, std::string& out) {
  if (!f.value) return false;
  auto own = text_of(*f.value);
  if (!own) return false;
  std::string name = *own;
  if (f.key == "firstName" || f.key == "first_name") {
    for (auto key : {"lastName", "last_name"})
      if (auto const* v = json::find(*f.parent, key))
        if (auto last = text_of(*v)) {
          name += " " + *last;
          break;
        }
  }
  set_text(out, name);
  return true;
}

bool contact_tags(found const& f, mapping_input const& in, std::string& out);
bool contact_properties(found const& f, mapping_input const& in, std::string& out);
bool company_properties(found const& f, mapping_input const& in, std::string& out);
bool event_properties(found const& f, mapping_input const& in, std::string& out);
bool page_event_name(found const& f, mapping_input const& in, std::string& out);

// ---- The tables ----

// identify → POST /contacts (gist-api.md §2.2).
constexpr field_rule contact_rules[] = {
    {user_id_field, {"userId"}, id},
    {email_field, {"traits.email", "context.traits.email"}, email},
    {"name",
     {"traits.name", "traits.firstName", "traits.first_name", "traits.lastName", "traits.last_name"},
     full_name},
    {"phone", {"traits.phone"}, text},
    {"signed_up_at", {"traits.createdAt", "traits.created_at"}, seconds},
    {"last_seen_ip", {"context.ip"}, text},
    {"last_seen_user_agent", {"context.userAgent"}, text},
    {"unsubscribed_from_emails",
     {"traits.unsubscribed_from_emails", "traits.unsubscribedFromEmails", "traits.unsubscribed"},
     flag},
    {"tags", {"traits.tags"}, contact_tags},                // left to POST /tags when `tags` is on
    {"custom_properties", {"traits"}, contact_properties},  // every trait not used above
};

// track → POST /events (gist-api.md §3.1). The name goes as sent: Gist itself lower-cases it
// and turns `.` and `$` into `-` (seeds/002); to do that here, swap `as_sent` for a transform.
constexpr field_rule event_rules[] = {
    {"event_name", {"event"}, as_sent},
    {user_id_field, {"userId"}, id},
    {email_field, {"context.traits.email", "properties.email"}, email},
    {"occurred_at", {}, occurred_at},  // the message's `timestamp`, skew-corrected
    {"properties", {"properties"}, event_properties},
};

// page → POST /events: "Viewed <name> Page", "Viewed Page", or `pageEventName`.
constexpr field_rule page_event_rules[] = {
    {"event_name", {"name", "properties.name"}, page_event_name},
    {user_id_field, {"userId"}, id},
    {email_field, {"context.traits.email", "properties.email"}, email},
    {"occurred_at", {}, occurred_at},
    {"properties", {"properties"}, event_properties},
};

// group → POST /contacts for the member. Group traits describe the company (its `email` is the
// company's), so the member's email comes from context.traits only.
constexpr field_rule company_rules[] = {
    {user_id_field, {"userId"}, id},
    {email_field, {"context.traits.email"}, email},
    {"custom_properties", {"traits"}, company_properties},  // company_id ← groupId, company_<trait>
};

// POST /tags (gist-api.md §4): {"name": tag, "contacts": [{user_id, email, "untag": true?}]}.
constexpr std::string_view tag_name_field = "name";
constexpr std::string_view tag_contacts_field = "contacts";
constexpr std::string_view untag_field = "untag";
constexpr std::size_t max_contacts_per_tag_call = 50;

constexpr std::string_view company_property_prefix = "company";  // company_id, company_name, …
constexpr std::string_view company_tag_prefix = "company:";      // groups: "tag" → company:<groupId>

// ---- Applying a table ----

found lookup(bj::object const& root, std::string_view path) {
  bj::object const* parent = &root;
  for (;;) {
    auto const dot = path.find('.');
    auto const key = path.substr(0, dot);
    auto const* v = json::find(*parent, key);
    if (!v) return {};
    if (dot == path.npos) return {v, parent, key};
    parent = v->if_object();
    if (!parent) return {};
    path.remove_prefix(dot + 1);
  }
}

found first_present(field_rule const& rule, bj::object const& message) {
  for (auto path : rule.sources) {
    if (path.empty()) break;
    auto f = lookup(message, path);
    if (f.value && !f.value->is_null()) return f;
  }
  return {};
}

template <std::size_t N>
written_body apply(field_rule const (&rules)[N], mapping_input const& in, std::string& out) {
  written_body body;
  body.begin = out.size();
  out += '{';
  bool first = true;
  for (auto const& rule : rules) {
    auto const mark = out.size();
    if (!first) out += ',';
    json::write_json_string(out, rule.gist_field);
    out += ':';
    auto const value_at = out.size();
    bool made = false;
    for (auto path : rule.sources) {
      if (path.empty()) break;
      auto f = lookup(in.message, path);
      if (!f.value || f.value->is_null()) continue;
      if ((made = rule.fn(f, in, out))) break;
      out.resize(value_at);
    }
    if (!made && !(made = rule.fn(found{}, in, out))) {
      out.resize(mark);
      continue;
    }
    first = false;
    written_body::span const value{value_at - body.begin, out.size() - value_at};
    if (rule.gist_field == user_id_field) body.user_id = value;
    if (rule.gist_field == email_field) body.email = value;
  }
  out += '}';
  body.end = out.size();
  return body;
}

// A trait one of the contact rules already maps (so it is not also a custom property).
bool mapped_trait(std::string_view key) {
  for (auto const& rule : contact_rules)
    for (auto path : rule.sources)
      if (path.substr(0, 7) == "traits." && path.substr(7) == key) return true;
  return false;
}

bool contact_tags(found const& f, mapping_input const& in, std::string& out) {
  if (in.config.tags || !f.value) return false;
  bool any = false;
  for (auto const& t : tag_changes(*f.value).changes) {
    if (t.untag) continue;  // removal needs POST /tags
    out += any ? ',' : '[';
    json::write_json_string(out, t.name);
    any = true;
  }
  if (any) out += ']';
  return any;
}

bool contact_properties(found const& f, mapping_input const& in, std::string& out) {
  auto const* traits = f.value ? f.value->if_object() : nullptr;
  if (!traits) return false;
  flat_object props(out, in.seed);
  std::string key;  // one buffer for every property's key
  for (auto const& kv : *traits) {
    if (mapped_trait(kv.key())) continue;
    key.clear();
    append_property_key(key, kv.key());
    add_contact_property(key, kv.value(), props, in.keys);
  }
  props.close();
  return !props.empty();
}

bool company_properties(found const& f, mapping_input const& in, std::string& out) {
  flat_object props(out, in.seed);
  std::string key(company_property_prefix), scratch;
  key += '_';
  auto const prefix = key.size();  // "company_": every key starts so, an empty trait name's too
  auto const group_id = json::id_text(json::find(in.message, "groupId"), scratch);
  if (!group_id.empty() && props.key(key + "id")) json::write_json_string(out, group_id);
  if (auto const* traits = f.value ? f.value->if_object() : nullptr)
    for (auto const& kv : *traits) {
      key.resize(prefix);
      append_property_key(key, kv.key());
      add_contact_property(key, kv.value(), props, in.keys);
    }
  props.close();
  return !props.empty();
}

bool event_properties(found const& f, mapping_input const& in, std::string& out) {
  auto const* properties = f.value ? f.value->if_object() : nullptr;
  if (!properties) return false;
  flat_object flat(out, in.seed);
  std::string key;  // one buffer for every property's key
  for (auto const& kv : *properties) {
    key.assign(kv.key());
    add_event_property(key, kv.value(), flat, in.keys);
  }
  flat.close();
  return !flat.empty();
}

bool page_event_name(found const& f, mapping_input const& in, std::string& out) {
  if (!in.config.page_event_name.empty()) {
    set_text(out, in.config.page_event_name);
    return true;
  }
  auto const name = f.value ? text_of(*f.value) : std::nullopt;
  set_text(out, name ? "Viewed " + *name + " Page" : std::string("Viewed Page"));
  return true;
}

}  // namespace

written_body contact_body(mapping_input const& in, std::string& out) { return apply(contact_rules, in, out); }
written_body event_body(mapping_input const& in, std::string& out) { return apply(event_rules, in, out); }
written_body page_event_body(mapping_input const& in, std::string& out) { return apply(page_event_rules, in, out); }
written_body company_contact_body(mapping_input const& in, std::string& out) { return apply(company_rules, in, out); }

tag_changes_result identify_tag_changes(mapping_input const& in) {
  for (auto const& rule : contact_rules)
    if (rule.fn == contact_tags) {
      auto f = first_present(rule, in.message);
      return f.value ? tag_changes(*f.value) : tag_changes_result{};
    }
  return {};
}

std::string group_tag_name(mapping_input const& in) {
  std::string scratch;
  auto const group_id = json::id_text(json::find(in.message, "groupId"), scratch);
  return std::string(company_tag_prefix) + std::string(group_id);
}

std::string contact_ref(std::string_view text, written_body const& body) {
  std::string members;
  for (auto [key, value] : {std::pair{user_id_field, body.user_id}, std::pair{email_field, body.email}}) {
    if (value.length == 0) continue;
    if (!members.empty()) members += ',';
    json::write_json_string(members, key);
    members += ':';
    members += text.substr(value.offset, value.length);
  }
  return members;
}

std::vector<std::string> tag_bodies(std::string_view tag, bool untag, std::vector<std::string> const& contacts) {
  std::vector<std::string> bodies;
  for (std::size_t start = 0; start < contacts.size(); start += max_contacts_per_tag_call) {
    std::string body = "{";
    json::write_json_string(body, tag_name_field);
    body += ':';
    json::write_json_string(body, tag);
    body += ',';
    json::write_json_string(body, tag_contacts_field);
    body += ":[";
    for (std::size_t i = start; i < contacts.size() && i < start + max_contacts_per_tag_call; ++i) {
      if (i > start) body += ',';
      body += '{';
      body += contacts[i];
      if (untag) {
        if (!contacts[i].empty()) body += ',';
        json::write_json_string(body, untag_field);
        body += ":true";
      }
      body += '}';
    }
    body += "]}";
    bodies.push_back(std::move(body));
  }
  return bodies;
}

}  // namespace ajs::gist
