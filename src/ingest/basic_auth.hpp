#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ajs {

// The writeKey in `Authorization: Basic base64(key:)`, and in base64(key) without the colon
// (Segment's backward-compatible form, sent e.g. by Zaraz). nullopt when the header is not Basic
// or not valid base64.
std::optional<std::string> basic_auth_username(std::string_view authorization);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ajs
