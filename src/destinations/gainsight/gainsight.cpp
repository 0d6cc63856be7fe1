// Gainsight: placeholder until its mapping lands (see its issue).
#include "destinations/destination.hpp"

namespace ajs {
namespace {

class gainsight_stub final : public destination {
 public:
  void plan(event const& e, plan_writer& out) const override {
    out.note(note_kind::dropped, "gainsight", e.message_id, "gainsight.not_implemented");
  }
};

result<std::unique_ptr<destination>> make_gainsight(settings_reader const&) {
  return std::unique_ptr<destination>(new gainsight_stub());
}

}  // namespace

extern destination_kind const gainsight_destination{"gainsight", {"Gainsight"}, make_gainsight};

}  // namespace ajs
