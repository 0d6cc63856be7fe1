#pragma once
#include <string>
#include <string_view>

namespace ajs {

// JavaScript's JSON.stringify writes a lone UTF-16 surrogate (a string cut inside an emoji) as
// "\ud83d". Boost.JSON refuses it, which would cost a whole batch, so each such escape becomes
// "\ufffd" (the same length), as TextEncoder would encode it. Returns false, and leaves `out`
// alone, when the body has none: the common case costs one scan for backslashes.
bool replace_lone_surrogate_escapes(std::string_view json, std::string& out);

}  // namespace ajs
