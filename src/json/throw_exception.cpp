// The core is built with -fno-exceptions -DBOOST_NO_EXCEPTIONS everywhere, so Boost asks us what
// a "throw" is. It is a trap: only reachable through a bug, since untrusted input goes through
// error_code overloads. (BOOST_NORETURN, not [[noreturn]]: clang-14 rejects the latter here.)
#include <boost/throw_exception.hpp>
#include <cstdlib>

namespace boost {
BOOST_NORETURN void throw_exception(std::exception const&) { std::abort(); }
BOOST_NORETURN void throw_exception(std::exception const&, boost::source_location const&) { std::abort(); }
}  // namespace boost
