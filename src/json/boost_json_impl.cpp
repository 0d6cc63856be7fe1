// Boost.JSON, header-only: compiled once here for every build (native and both wasm toolchains).
#include <boost/json/src.hpp>
