#pragma once
// "Whitelist Track Events": which track calls reach Gainsight. Empty sends every track; else a
// track goes only if its name equals an entry once both are put through to-no-case, the way
// Segment's integration compared them. Entries are normalized once, at config load.
#include <string>
#include <string_view>
#include <vector>

namespace ajs {

class track_whitelist {
 public:
  explicit track_whitelist(std::vector<std::string> const& names);
  bool allows(std::string_view event_name) const;

 private:
  std::vector<std::string> no_case_names_;
};

}  // namespace ajs
