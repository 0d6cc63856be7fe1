#include "http/reply.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ajs {

void reply_json(plan_writer& out, std::uint32_t status, std::string_view body) {
  out.reply(status, body);
  out.reply_header("content-type", "application/json");
}

void reply_success(plan_writer& out) { reply_json(out, 200, R"({"success":true})"); }

void reply_problem(plan_writer& out, problem const& p) {
  boost::json::object body;
  body["success"] = false;
  body["message"] = p.message;
  body["code"] = p.code;
  if (!p.setting.empty()) body["setting"] = p.setting;
  if (!p.docs.empty()) body["docs"] = p.docs;
  reply_json(out, static_cast<std::uint32_t>(p.status), boost::json::serialize(body));
  mark_problem(out, p.code);
}

void mark_problem(plan_writer& out, std::string_view code) { out.reply_header(problem_header, code); }

std::string write_key_hint(std::string_view key) {
  std::string hint;
  for (char c : key.substr(0, 6)) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) break;
    hint += c;
  }
  return "\"" + hint + "…\"";
}

std::string quoted_clip(std::string_view text, std::size_t max) {
  std::size_t n = text.size() < max ? text.size() : max;
  while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;  // whole characters
  std::string out = "\"";
  for (char c : text.substr(0, n)) out += (static_cast<unsigned char>(c) < 0x20 || c == '"') ? '?' : c;
  return out + (n < text.size() ? "…\"" : "\"");
}

void allow_origin(plan_writer& out, std::string_view origin) {
  out.reply_header("access-control-allow-origin", origin);
  out.reply_header("access-control-allow-credentials", "true");
  out.reply_header("vary", "Origin");
}

}  // namespace ajs
