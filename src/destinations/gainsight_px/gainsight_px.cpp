// Gainsight PX: Segment's "Gainsight PX Cloud (Actions)" destination, reproduced
// (segmentio/action-destinations gainsight-px-cloud-action). The whole Segment event goes to
// PX's Segment ingest in the subscription's data center, one request each, with the PX Tag Key
// (`AP-…`) as the Basic-auth username. Its presets subscribe identify, group, track and page;
// screen and alias are not sent. Docs: README.md "Gainsight and Gainsight PX".
#include "destinations/destination.hpp"

namespace ajs {
namespace {

constexpr std::string_view config_key = "gainsightPx";
constexpr std::string_view push_path = "/rte/segmentio/v1/push";

// The PX data centers ("dataCenter" in Segment's settings, "region" here).
struct region_host {
  std::string_view region;
  std::string_view base_url;
};
constexpr region_host region_hosts[] = {
    {"north_america", "https://segment-esp.aptrinsic.com"},
    {"europe", "https://segment-esp-eu.aptrinsic.com"},
    {"us2", "https://segment-esp-us2.aptrinsic.com"},
};
constexpr std::string_view default_region = "north_america";

// Which calls PX receives: the presets of Segment's PX destination.
constexpr event_types sent_types{event_type::identify, event_type::group, event_type::track, event_type::page};

class gainsight_px final : public destination {
 public:
  gainsight_px(std::string_view url, std::string api_key)
      : api_key_(std::move(api_key)),
        call_{config_key,
              "POST",
              // Every Actions destination's User-Agent (@segment/actions-core create-request-client).
              {header_line::secret("Authorization", api_key_, secret_format::basic_username),
               header_line::literal("Content-Type", "application/json"),
               header_line::literal("User-Agent", "Segment (Actions)")},
              {url}} {}

  void plan(event const& e, plan_writer& out) const override {
    if (!sent_types.contains(e.type)) {
      out.note(note_kind::skipped, config_key, e.message_id, "gainsightPx.unsupported_type");
      return;
    }
    out.begin_request(call_, call_.url(0), e.message_id, e.order_key());
    out.body(e.passthrough_body(out));
  }

 private:
  std::string api_key_;  // secret binding name
  call_template call_;
};

result<std::string> region_base_url(settings_reader const& settings) {
  auto region = settings.string("region", false, std::string(default_region));
  if (!region) return region.error();
  for (auto const& r : region_hosts)
    if (r.region == *region) return std::string(r.base_url);
  std::string allowed;
  for (auto const& r : region_hosts) {
    if (!allowed.empty()) allowed += ", ";
    allowed += r.region;
  }
  // Segment fell back to north_america here; a typo would then send EU data to the US.
  return config_problem(settings.field("region") + ": unknown region \"" + *region + "\" (allowed: " + allowed + ")");
}

result<std::unique_ptr<destination>> make_gainsight_px(settings_reader const& settings) {
  if (auto r = settings.only_keys({"apiKey", "region", "endpoint", "consentCategories"}); !r) return r.error();
  auto api_key = settings.secret("apiKey", true);
  if (!api_key) return api_key.error();
  auto base = region_base_url(settings);
  if (!base) return base.error();
  // `endpoint` replaces the region's host (tests, proxies); the path stays PX's.
  auto endpoint = settings.base_url("endpoint", *base);
  if (!endpoint) return endpoint.error();
  return std::unique_ptr<destination>(new gainsight_px(*endpoint + std::string(push_path), std::move(*api_key)));
}

}  // namespace

extern destination_kind const gainsight_px_destination{"gainsightPx", "Gainsight Px Cloud (Actions)",
                                                       make_gainsight_px};

}  // namespace ajs
