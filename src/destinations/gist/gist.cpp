// Gist: placeholder until its mapping lands (see its issue).
#include "destinations/destination.hpp"

namespace ajs {
namespace {

class gist_stub final : public destination {
 public:
  void plan(event const& e, plan_writer& out) const override {
    out.note(note_kind::dropped, "gist", e.message_id, "gist.not_implemented");
  }
};

result<std::unique_ptr<destination>> make_gist(settings_reader const&) {
  return std::unique_ptr<destination>(new gist_stub());
}

}  // namespace

extern destination_kind const gist_destination{"gist", {"Gist"}, make_gist};

}  // namespace ajs
