#pragma once
#include <string>
#include <string_view>

#include "destinations/destination.hpp"

namespace ajs {

destination_kind const* find_destination_kind(std::string_view config_key);
std::string known_destination_keys();

}  // namespace ajs
