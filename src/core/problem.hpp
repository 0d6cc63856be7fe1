#pragma once
// Errors are values: every rejection carries a machine code and a human message that reaches
// the client (as {"success":false,"message":…,"code":…}) or the operator's log.
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace ajs {

struct problem {
  int status = 400;       // HTTP status the rejection maps to
  std::string_view code;  // stable, machine-readable: "invalid_request", "unauthorized", …
  std::string message;    // for people: names the field or the limit
};

inline problem invalid_request(std::string message) { return {400, "invalid_request", std::move(message)}; }

template <class T>
using result = boost::system::result<T, problem>;

}  // namespace ajs

namespace boost::system {
// result<T, problem>::value() would need this to report an error; the core never calls value()
// on an error (it checks first), so reaching here is a bug and aborts like any other trap.
[[noreturn]] void throw_exception_from_error(ajs::problem const&, boost::source_location const&);
}  // namespace boost::system
