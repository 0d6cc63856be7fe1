#include "core/problem.hpp"

#include <cstdlib>

namespace boost::system {
void throw_exception_from_error(ajs::problem const&, boost::source_location const&) { std::abort(); }
}  // namespace boost::system
