#include "destinations/gist/gist_settings.hpp"

namespace ajs::gist {

namespace {

constexpr std::string_view default_base_url = "https://api.getgist.com";

// Gist keys have no documented shape (gist-api.md §1: "do not validate key shape"); the host only
// checks that the secret is one header-safe token, so a stray newline cannot reach a header.
constexpr std::string_view api_key_pattern = R"(^\S+$)";

result<group_mode> read_group_mode(settings_reader const& reader) {
  auto text = reader.string("groups", false, "off");
  if (!text) return text.error();
  if (*text == "off") return group_mode::off;
  if (*text == "company") return group_mode::company;
  if (*text == "tag") return group_mode::tag;
  return config_problem(reader.field("groups") + R"(: must be "off", "company" or "tag")");
}

}  // namespace

result<settings> read_settings(settings_reader const& reader) {
  // consentCategories is read by the common layer (config.cpp); it is listed so it is not a typo.
  if (auto r =
          reader.only_keys({"apiKey", "endpoint", "pages", "pageEventName", "groups", "tags", "consentCategories"});
      !r)
    return r.error();
  settings s;
  auto key = reader.secret("apiKey", true, api_key_pattern);
  if (!key) return key.error();
  s.api_key_binding = std::move(*key);
  auto base = reader.base_url("endpoint", std::string(default_base_url));
  if (!base) return base.error();
  s.base_url = std::move(*base);
  auto pages = reader.boolean("pages", false);
  if (!pages) return pages.error();
  s.pages = *pages;
  auto page_name = reader.string("pageEventName", false);
  if (!page_name) return page_name.error();
  s.page_event_name = std::move(*page_name);
  auto groups = read_group_mode(reader);
  if (!groups) return groups.error();
  s.groups = *groups;
  auto tags = reader.boolean("tags", false);
  if (!tags) return tags.error();
  s.tags = *tags;
  return s;
}

}  // namespace ajs::gist
