#pragma once
// Builds a plan in place: strings are interned (a URL or a messageId shared by many calls is
// stored once) and bodies are serialized straight into the plan's one byte buffer.
#include <algorithm>
#include <array>
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "json/write_json.hpp"
#include "plan/flat_index.hpp"
#include "plan/plan.hpp"

namespace ajs {

// What one request may make the host send (limits.hpp); planning stops counting past it and the
// caller refuses the request.
struct outgoing_budget {
  std::size_t max_calls = static_cast<std::size_t>(-1);
  std::size_t max_bytes = static_cast<std::size_t>(-1);
};

// A header a call sends: a literal, or one the host fills from a named secret.
struct header_line {
  std::string_view name;
  std::string_view value;           // the literal value; empty when a secret fills it
  std::string_view secret_binding;  // e.g. "GIST_API_KEY"; empty for a literal
  secret_format format = secret_format::none;

  static constexpr header_line literal(std::string_view name, std::string_view value) {
    return {name, value, {}, secret_format::none};
  }
  static constexpr header_line secret(std::string_view name, std::string_view binding, secret_format format) {
    return {name, {}, binding, format};
  }
};

// What every call of one configured destination shares: its name, method and headers, and the
// URLs it calls. A plan copies the template's strings in one piece the first time it is used, and
// its later calls refer to the same run of headers: interning each call's headers anew was 7 % of
// planning small events, and interning them once per plan a tenth of a beacon's begin_request
// (perf, session 12). A call to one of its URLs (url(i)) refers to that copy too, unlike a URL
// from elsewhere, which is interned and compared byte for byte at each call (2–3 % of planning
// small events, session 25). A writer knows a template by its address: it must outlive the writer
// (a planner's member does).
class call_template {
 public:
  call_template(std::string_view destination, std::string_view method, std::initializer_list<header_line> headers,
                std::initializer_list<std::string_view> urls = {});

  // Its strings one after another; the spans below are offsets into it.
  std::string_view text() const { return text_; }
  std::string_view view(byte_span s) const { return std::string_view(text_).substr(s.offset, s.length); }
  byte_span destination() const { return destination_; }
  byte_span method() const { return method_; }
  // Its i-th URL, a view into text(): what begin_request knows by its place.
  std::string_view url(std::size_t i) const { return view(urls_[i]); }
  // Where `s` lies in text(), when it is a view into it (as url(i) is).
  std::optional<byte_span> place_of(std::string_view s) const;
  std::vector<planned_header> const& headers() const { return headers_; }
  // Its headers as a queue message's chain carries them (queue_messages.hpp H), and that text's
  // hash_bytes(…, 0).
  std::string_view headers_json() const { return headers_json_; }
  std::uint64_t headers_json_hash() const { return headers_json_hash_; }

 private:
  byte_span add(std::string_view s);

  std::string text_;
  byte_span destination_, method_;
  std::vector<planned_header> headers_;
  std::vector<byte_span> urls_;
  std::string headers_json_;
  std::uint64_t headers_json_hash_ = 0;
};

class plan_writer {
 public:
  // `seed`: the request's randomness (request_meta::seed), which seeds the lookup tables' hash.
  explicit plan_writer(plan& p, std::uint64_t seed = 0) : plan_(p), seed_(seed) {
    // [0] unused: the list end. Room for a beacon's few destinations, which the plan keeps.
    scope_calls_.reserve(8);
    scope_calls_.resize(1);
  }
  // Empty for the next writer (plan::ordinal_scratch); a big request's scopes freed now.
  ~plan_writer() { plan_.ordinal_scratch.reset(plan_kept_table_bytes); }
  plan_writer(plan_writer const&) = delete;
  plan_writer& operator=(plan_writer const&) = delete;

  // Room for what a body of `input_bytes` is expected to plan, so the buffers grow once.
  void reserve_for(std::size_t input_bytes);
  // Room for `calls` calls, within the budget (set_budget first).
  void reserve_calls(std::size_t calls) { plan_.requests.reserve(std::min(calls, budget_.max_calls)); }

  // Reply to the client.
  void reply(std::uint32_t status, std::string_view body);
  void reply_header(std::string_view name, std::string_view value);

  // The dedup scope stamped on the calls planned from now on (the configured destination
  // about to plan: see planned_request::scope).
  void set_scope(std::string_view scope) { scope_ = text(scope); }

  // Outgoing calls: begin one with its destination's shared name, method and headers, then add its
  // body. `url`: one of the template's own (shared.url(i)) where it can be, else interned.
  // `flags`: call_flags.
  void begin_request(call_template const& shared, std::string_view url, std::string_view message_id,
                     std::string_view order_key, std::uint32_t flags = 0);
  void body(byte_span bytes);

  // Appends the object serialized as JSON, without its member `omit_key` (no copy of the object
  // is made), and returns where it is, so that one serialized event can be the body of several
  // calls (Gainsight and PX both pass the event through).
  byte_span serialize(boost::json::object const& o, std::string_view omit_key);
  // Text that `write(std::string& out)` appends to the plan's bytes (a body by a writer of the
  // caller's, as Gainsight's date traversal; a key in parts); returns where it is.
  template <class Write>
  byte_span write_body(Write&& write) {
    auto const start = plan_.bytes.size();
    write(plan_.bytes);
    return {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(plan_.bytes.size() - start)};
  }

  // A body written as text straight into the plan's bytes (no JSON tree built for it): append it
  // to write_text(); its span is then known by where it began and ended there. written(span)
  // reads it back; unwrite(begin) takes back a body not sent after all: only what was written
  // last, nothing else having been written since.
  std::string& write_text() { return plan_.bytes; }
  std::string_view written(byte_span s) const { return std::string_view(plan_.bytes).substr(s.offset, s.length); }
  void unwrite(std::size_t begin) { plan_.bytes.resize(begin); }
  // A body given whole as text.
  byte_span append_text(std::string_view s) { return append(s); }
  // The request's randomness, for a planner's own tables of client keys (flat_index.hpp).
  std::uint64_t seed() const { return seed_; }

  void note(note_kind kind, std::string_view destination, std::string_view message_id, std::string_view reason);
  // The key in parts, joined as it is written (no string built for it).
  void rate_limit(std::string_view binding, std::initializer_list<std::string_view> key);
  void source(std::string_view id);  // plan::sources
  plan_counters& counters() { return plan_.counters; }

  void set_budget(outgoing_budget b) { budget_ = b; }
  bool over_budget() const { return plan_.requests.size() > budget_.max_calls || outgoing_bytes_ > budget_.max_bytes; }
  std::size_t outgoing_bytes() const { return outgoing_bytes_; }
  // Forgets every planned call and note (a request refused after planning began).
  void discard_calls();

  byte_span text(std::string_view s);  // interned when short
  // A string seldom seen again once others came between (a message's id, asked for by each of
  // its calls and notes in a row): known again while it is the last one asked for, else written
  // again rather than hashed into the interned table, where each would stay alone (a batch of
  // 2,500 small events interned 2,562 strings, most of them ids).
  byte_span fresh_text(std::string_view s);
  std::size_t request_count() const { return plan_.requests.size(); }

 private:
  byte_span append(std::string_view s);

  plan& plan_;
  std::uint64_t seed_;
  // Room for a beacon's strings (about 10: reply header, rate-limit bindings and keys, source,
  // scopes, order key) before a table is made: it was one of a beacon's allocations.
  flat_index<byte_span, 16> interned_;
  // The last strings interned from each of a few addresses: most of a call's strings are the
  // same few constants and views (a destination's name and headers, the message's id), asked for
  // again from the same place, and hashing them every time was 9 % of planning small events.
  // A hit is checked byte for byte, so a buffer reused for other text simply misses.
  struct recent_text {
    char const* data = nullptr;
    std::size_t size = 0;
    byte_span span;
  };
  // Whether `r` is `s`: the same place, and still the same bytes there.
  bool remembers(recent_text const& r, std::string_view s) const {
    return r.data == s.data() && r.size == s.size() && plan_.view(r.span) == s;
  }
  std::array<recent_text, 64> recent_{};
  // fresh_text's last string. One, not a table of recent ones: where a table's slot is depends on
  // the string's address, which differs between builds, and the plan must not (build parity).
  recent_text last_fresh_{};
  // The call templates this plan has written: a destination per slot (a source has a few).
  struct template_run {
    call_template const* shared = nullptr;
    std::uint32_t base = 0;  // where the plan's copy of its text begins
    byte_span destination, method;
    std::uint32_t first_header = 0, header_count = 0;
  };
  std::array<template_run, 8> templates_{};
  std::size_t next_template_ = 0;  // the slot a new template takes (round robin once all are used)
  byte_span scope_{};
  // Calls so far per (scope, messageId): messageId → a short list of (scope, calls), one entry per
  // destination it went to. A message's calls come one after another, so the messageId is looked
  // up once per message, not per call: keyed per call, the table was 10 % of planning small events
  // (session 12). The views point into the request's message, which outlives planning.
  struct message_calls {
    std::string_view message_id;
    std::uint32_t first_scope = 0;  // → scope_calls_, 0: none yet
  };
  flat_index<message_calls> ordinals_;
  message_calls* last_message_ = nullptr;  // valid until the next find_or_add
  std::vector<ordinal_rows::scope_calls>& scope_calls_ = plan_.ordinal_scratch.scopes;
  outgoing_budget budget_{};
  std::size_t outgoing_bytes_ = 0;
};

}  // namespace ajs
