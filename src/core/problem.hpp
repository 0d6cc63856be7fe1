#pragma once
// Errors are values: every rejection carries a machine code and a human message that reaches
// the client (as {"success":false,"message":…,"code":…[,"setting":…][,"docs":…]}) and the
// operator's log: what was wrong and the value seen, the setting that controls it, the README
// section that explains it.
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace ajs {

struct problem {
  int status = 400;       // HTTP status the rejection maps to
  std::string_view code;  // stable, machine-readable: "invalid_request", "unauthorized", …
  std::string message;    // for people: names the field or the limit, and the value seen
  std::string setting;    // the setting that controls it ("sources[0].allowedOrigins"), if one does
  std::string_view docs;  // the README section that explains it (docs:: below)
};

// README sections a refusal points to: one place, named as the README names them.
namespace docs {
inline constexpr std::string_view what_it_accepts = "README.md: What it accepts (Segment's tracking API)";
inline constexpr std::string_view configuration = "README.md: Configuration";
inline constexpr std::string_view security = "README.md: Security";
}  // namespace docs

inline problem invalid_request(std::string message) {
  return {400, "invalid_request", std::move(message), {}, docs::what_it_accepts};
}

template <class T>
using result = boost::system::result<T, problem>;

}  // namespace ajs

namespace boost::system {
// result<T, problem>::value() would need this to report an error; the core never calls value()
// on an error (it checks first), so reaching here is a bug and aborts like any other trap.
[[noreturn]] void throw_exception_from_error(ajs::problem const&, boost::source_location const&);
}  // namespace boost::system
