#pragma once
// GET /v1/projects/:writeKey/settings: the document analytics.js boots from (its "CDN
// settings"), written so that the client talks to this Worker alone.
#include <string>

#include "config/config.hpp"
#include "http/request_meta.hpp"

namespace ajs {

// `integrations["Segment.io"]` carries apiKey = writeKey and apiHost = this Worker (or the
// source's apiHost); metrics are off and pointed here (else analytics.js posts to
// api.segment.io every 30 s); no remote plugins and no other integrations, so no device-mode
// bundle loads; the source's deliveryStrategy and httpConfig are pushed to clients.
std::string settings_document(source_config const& source, request_meta const& meta, std::string_view base_path);

}  // namespace ajs
