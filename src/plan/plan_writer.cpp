#include "plan/plan_writer.hpp"

#include <algorithm>
#include <functional>

#include <boost/json/value.hpp>

#include "json/write_json.hpp"
#include "plan/queue_messages.hpp"

namespace ajs {

namespace {
constexpr std::size_t max_interned_length = 200;

// Whether the plan's bytes at `x` are `s`: the interned strings' comparison. A type of its own, not
// a lambda in plan_writer::text: it runs only for a string asked for again once the recent ones
// have lost it, which depends on where strings lie in memory, so the profile's training run may
// never call it, and a function of text()'s own without counts reads as text() having lost its
// profile (tests/scripts/pgo_profile.test.mjs).
struct same_text {
  plan const& p;
  std::string_view s;
  bool operator()(byte_span x) const { return p.view(x) == s; }
};
}  // namespace

call_template::call_template(std::string_view destination, std::string_view method,
                             std::initializer_list<header_line> headers, std::initializer_list<std::string_view> urls)
    : destination_(add(destination)), method_(add(method)) {
  for (auto const& h : headers) headers_.push_back({add(h.name), add(h.value), add(h.secret_binding), h.format});
  for (auto url : urls) urls_.push_back(add(url));
  append_header_run(headers_json_, headers_.size(), [this](std::size_t i) {
    auto const& h = headers_[i];
    return header_text{view(h.name), view(h.value), view(h.secret), h.format};
  });
  headers_json_hash_ = hash_bytes(headers_json_, 0);
}

std::optional<byte_span> call_template::place_of(std::string_view s) const {
  std::less_equal<char const*> const not_after;
  auto const own = text();
  if (s.empty() || !not_after(own.data(), s.data()) || !not_after(s.data() + s.size(), own.data() + own.size()))
    return std::nullopt;
  return byte_span{static_cast<std::uint32_t>(s.data() - own.data()), static_cast<std::uint32_t>(s.size())};
}

byte_span call_template::add(std::string_view s) {
  if (s.empty()) return {};  // as plan_writer::text writes it: no span
  byte_span const span{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(s.size())};
  text_.append(s);
  return span;
}

void plan_writer::reserve_for(std::size_t input_bytes) {
  // At least what one beacon plans (a few calls, their headers, the reply's, a note or two): a
  // table grown from empty reallocates at each doubling (with the rate-limit keys written in parts,
  // 9 of a beacon's 36 allocations).
  plan_.bytes.reserve(input_bytes * 2 + 1024);
  plan_.requests.reserve(std::max<std::size_t>(input_bytes / 256, 8));
  plan_.request_headers.reserve(32);  // calls share their destination's run (call_template)
  plan_.reply_headers.reserve(8);
  plan_.notes.reserve(4);
  plan_.rate_limits.reserve(4);
  plan_.sources.reserve(2);
}

byte_span plan_writer::append(std::string_view s) {
  byte_span span{static_cast<std::uint32_t>(plan_.bytes.size()), static_cast<std::uint32_t>(s.size())};
  plan_.bytes.append(s.data(), s.size());
  return span;
}

byte_span plan_writer::fresh_text(std::string_view s) {
  if (s.empty()) return {};
  if (remembers(last_fresh_, s)) return last_fresh_.span;
  last_fresh_ = {s.data(), s.size(), append(s)};
  return last_fresh_.span;
}

byte_span plan_writer::text(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > max_interned_length) return append(s);
  auto& recent = recent_[((reinterpret_cast<std::uintptr_t>(s.data()) + s.size()) * 0x9e3779b97f4a7c15ull) >> 58];
  if (remembers(recent, s)) return recent.span;
  auto [span, added] = interned_.find_or_add(hash_bytes(s, seed_), same_text{plan_, s});
  if (added) *span = append(s);
  recent = {s.data(), s.size(), *span};
  return *span;
}

void plan_writer::reply(std::uint32_t status, std::string_view body) {
  plan_.status = status;
  plan_.reply_body = append(body);
}

void plan_writer::reply_header(std::string_view name, std::string_view value) {
  plan_.reply_headers.push_back({text(name), text(value), {}, secret_format::none});
}

void plan_writer::begin_request(call_template const& shared, std::string_view url, std::string_view message_id,
                                std::string_view order_key, std::uint32_t flags) {
  template_run* run = nullptr;
  for (auto& t : templates_)
    if (t.shared == &shared) {
      run = &t;
      break;
    }
  if (!run) {
    run = &templates_[next_template_];
    next_template_ = (next_template_ + 1) % templates_.size();
    auto const base = static_cast<std::uint32_t>(plan_.bytes.size());
    plan_.bytes.append(shared.text());
    auto const at = [&](byte_span s) { return s.length == 0 ? byte_span{} : byte_span{base + s.offset, s.length}; };
    *run = {&shared,
            base,
            at(shared.destination()),
            at(shared.method()),
            static_cast<std::uint32_t>(plan_.request_headers.size()),
            static_cast<std::uint32_t>(shared.headers().size())};
    for (auto const& h : shared.headers())
      plan_.request_headers.push_back({at(h.name), at(h.value), at(h.secret), h.format});
    plan_.header_runs.push_back(
        {run->first_header, run->header_count, shared.headers_json(), shared.headers_json_hash()});
  }
  planned_request r;
  r.destination = run->destination;
  r.method = run->method;
  // One of the template's URLs lies in its text, which the plan holds a copy of: no lookup.
  auto const own = shared.place_of(url);
  r.url = own ? byte_span{run->base + own->offset, own->length} : text(url);
  r.first_header = run->first_header;
  r.header_count = run->header_count;
  r.message_id = fresh_text(message_id);
  r.order_key = text(order_key);
  r.flags = flags;
  r.scope = scope_;
  // Its ordinal: the calls so far for its messageId in this scope.
  if (!last_message_ || last_message_->message_id != message_id) {
    auto [m, added] = ordinals_.find_or_add(hash_bytes(message_id, seed_),
                                            [&](message_calls const& c) { return c.message_id == message_id; });
    if (added) *m = {message_id, 0};
    last_message_ = m;
  }
  auto entry = last_message_->first_scope;
  while (entry != 0 && scope_calls_[entry].scope != scope_.offset) entry = scope_calls_[entry].next;
  if (entry == 0) {
    entry = static_cast<std::uint32_t>(scope_calls_.size());
    scope_calls_.push_back({scope_.offset, 0, last_message_->first_scope});
    last_message_->first_scope = entry;
  }
  r.ordinal = scope_calls_[entry].calls++;
  plan_.requests.push_back(r);
}

void plan_writer::body(byte_span bytes) {
  plan_.requests.back().body = bytes;
  outgoing_bytes_ += bytes.length;  // per call: a body two calls share is sent twice
}

byte_span plan_writer::serialize(boost::json::object const& o, std::string_view omit_key) {
  return write_body([&](std::string& out) { json::write_json(out, o, omit_key); });
}

void plan_writer::source(std::string_view id) { plan_.sources.push_back(text(id)); }

void plan_writer::rate_limit(std::string_view binding, std::initializer_list<std::string_view> key) {
  auto const joined = write_body([&](std::string& out) {
    for (auto part : key) out.append(part.data(), part.size());
  });
  plan_.rate_limits.push_back({text(binding), joined});
}

void plan_writer::discard_calls() {
  plan_.requests.clear();
  plan_.request_headers.clear();
  plan_.header_runs.clear();
  plan_.notes.clear();
  ordinals_.clear();
  last_message_ = nullptr;
  scope_calls_.resize(1);
  templates_ = {};  // their header runs went with request_headers
  next_template_ = 0;
  outgoing_bytes_ = 0;
}

void plan_writer::note(note_kind kind, std::string_view destination, std::string_view message_id,
                       std::string_view reason) {
  plan_.notes.push_back({kind, text(destination), fresh_text(message_id), text(reason)});
}

}  // namespace ajs
