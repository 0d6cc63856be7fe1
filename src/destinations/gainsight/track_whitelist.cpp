#include "destinations/gainsight/track_whitelist.hpp"

#include <algorithm>

#include "destinations/gainsight/no_case.hpp"

namespace ajs {

track_whitelist::track_whitelist(std::vector<std::string> const& names) {
  no_case_names_.reserve(names.size());
  for (auto const& name : names) no_case_names_.push_back(to_no_case(name));
}

bool track_whitelist::allows(std::string_view event_name) const {
  if (no_case_names_.empty()) return true;
  auto const name = to_no_case(event_name);
  return std::find(no_case_names_.begin(), no_case_names_.end(), name) != no_case_names_.end();
}

}  // namespace ajs
