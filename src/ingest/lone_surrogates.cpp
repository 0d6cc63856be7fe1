#include "ingest/lone_surrogates.hpp"

#include <cstring>
#include <vector>

namespace ajs {

namespace {

int hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    char const c = s[i];
    int const d = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

bool high(int v) { return v >= 0xD800 && v <= 0xDBFF; }
bool low(int v) { return v >= 0xDC00 && v <= 0xDFFF; }

}  // namespace

bool replace_lone_surrogate_escapes(std::string_view json, std::string& out) {
  std::vector<std::size_t> lone;  // offsets of the "\uXXXX" escapes to replace
  char const* const begin = json.data();
  std::size_t at = 0;
  while (at < json.size()) {
    auto const* p = static_cast<char const*>(std::memchr(begin + at, '\\', json.size() - at));
    if (!p) break;
    at = static_cast<std::size_t>(p - begin);
    if (at + 1 < json.size() && json[at + 1] == 'u') {
      int const v = hex4(json, at + 2);
      if (high(v) && json.substr(at + 6, 2) == "\\u" && low(hex4(json, at + 8))) {
        at += 12;  // a valid pair
        continue;
      }
      if (high(v) || low(v)) lone.push_back(at);
      at += 6;
    } else {
      at += 2;  // any other escape, including "\\"
    }
  }
  if (lone.empty()) return false;
  out.assign(json);
  for (auto offset : lone) out.replace(offset, 6, "\\ufffd");
  return true;
}

}  // namespace ajs
