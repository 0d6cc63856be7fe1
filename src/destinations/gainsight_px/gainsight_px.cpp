// Gainsight PX: placeholder until its mapping lands (see its issue).
#include "destinations/destination.hpp"

namespace ajs {
namespace {

class gainsight_px_stub final : public destination {
 public:
  void plan(event const& e, plan_writer& out) const override {
    out.note(note_kind::dropped, "gainsightPx", e.message_id, "gainsightPx.not_implemented");
  }
};

result<std::unique_ptr<destination>> make_gainsight_px(settings_reader const&) {
  return std::unique_ptr<destination>(new gainsight_px_stub());
}

}  // namespace

extern destination_kind const gainsight_px_destination{"gainsightPx", {"Gainsight PX", "Gainsight PX Cloud (Actions)"}, make_gainsight_px};

}  // namespace ajs
