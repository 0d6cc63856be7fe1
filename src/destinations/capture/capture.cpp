// capture: the demo destination. Every routed event becomes one planned call carrying the
// normalized Segment message. Without an `endpoint` the call goes to `capture:log`, which hosts
// print instead of sending; with one, it is a plain JSON webhook.
#include "destinations/destination.hpp"
#include "json/access.hpp"

namespace ajs {
namespace {

constexpr std::string_view log_url = "capture:log";

class capture final : public destination {
 public:
  explicit capture(std::string_view url)
      : call_{"capture", "POST", {header_line::literal("content-type", "application/json")}, {url}} {}

  void plan(event const& e, plan_writer& out) const override {
    out.begin_request(call_, call_.url(0), e.message_id, e.order_key());
    out.body(e.passthrough_body(out));
  }

 private:
  call_template call_;
};

result<std::unique_ptr<destination>> make_capture(settings_reader const& settings) {
  if (auto r = settings.only_keys({"endpoint", "consentCategories"}); !r) return r.error();
  std::string url(log_url);
  if (json::find(settings.object(), "endpoint")) {
    auto endpoint = settings.base_url("endpoint", {});
    if (!endpoint) return endpoint.error();
    url = std::move(*endpoint);
  }
  return std::unique_ptr<destination>(new capture(url));
}

}  // namespace

extern destination_kind const capture_destination{"capture", {"Capture"}, make_capture};

}  // namespace ajs
