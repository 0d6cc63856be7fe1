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
  reply_json(out, static_cast<std::uint32_t>(p.status), boost::json::serialize(body));
}

void allow_origin(plan_writer& out, std::string_view origin) {
  out.reply_header("access-control-allow-origin", origin);
  out.reply_header("access-control-allow-credentials", "true");
  out.reply_header("vary", "Origin");
}

}  // namespace ajs
