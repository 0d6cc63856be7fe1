#pragma once
// GET /v1/projects/:writeKey/settings: the document analytics.js boots from (its "CDN
// settings"), written so that the client talks to this Worker alone.
#include <string>

#include "config/config.hpp"
#include "core/problem.hpp"
#include "http/request_meta.hpp"

namespace ajs {

// `integrations["Segment.io"]` carries apiKey = writeKey and apiHost = this Worker (or the
// source's apiHost); metrics are off and pointed here (else analytics.js posts to
// api.segment.io every 30 s); no remote plugins and no other integrations, so no device-mode
// bundle loads; the source's deliveryStrategy and httpConfig are pushed to clients.
// `source` is null for a writeKey no source has: the document still keeps analytics.js on this
// Worker (an analytics.js that cannot load its settings reports the failure to api.segment.io),
// and the events it sends are refused here with the reason. A mistake the document is served
// despite is in it as `ajsEdge.problem` ({code, message, setting, docs}), for a person reading it.
std::string settings_document(std::string_view write_key, source_config const* source, request_meta const& meta,
                              std::string_view api_host, problem const* mistake);

// Where the document points analytics.js, and whether a shared cache may keep it.
struct api_host_choice {
  std::string api_host;     // host + path, no scheme (analytics.js adds it)
  bool depends_on_host;     // built from the request's Host: the reply carries `Vary: Host`
  bool publicly_cacheable;  // false when any Host is taken (no `hosts` list): a shared cache could
                            // otherwise hand one Host's document to another
};
// The source's apiHost when set; else the request's Host when the config lists it in `hosts`
// (or lists none), else the first listed host; + basePath + "/v1".
// (A null source: no apiHost of its own.)
api_host_choice choose_api_host(source_config const* source, request_meta const& meta, config const& cfg);

}  // namespace ajs
