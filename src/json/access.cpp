#include "json/access.hpp"

#include <charconv>

namespace ajs::json {

std::string_view id_text(value const* v, std::string& scratch) {
  if (!v) return {};
  if (auto const* s = v->if_string()) return *s;
  char buf[32];
  std::to_chars_result r{};
  if (auto const* i = v->if_int64())
    r = std::to_chars(buf, buf + sizeof buf, *i);
  else if (auto const* u = v->if_uint64())
    r = std::to_chars(buf, buf + sizeof buf, *u);
  else
    return {};
  scratch.assign(buf, r.ptr);
  return scratch;
}

}  // namespace ajs::json
