#include "plan/queue_messages.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "json/write_json.hpp"
#include "plan/flat_index.hpp"

namespace ajs {

namespace {

// The host's names of the secret formats (host-shims/core/plan.mjs SECRET_FORMAT): the
// enumerators' own names, in their order.
constexpr std::string_view secret_format_names[] = {"none", "raw", "bearer", "basic_username"};

constexpr std::string_view bundle_head = R"({"v":2,"chains":[)";
constexpr std::string_view bundle_tail = "]}";
constexpr std::string_view calls_open = R"(,"calls":[)";
constexpr std::string_view calls_close = "]}";

using piece = queue_rows::piece;
constexpr std::uint32_t none = queue_rows::none;

class message_writer {
 public:
  // The rows are the plan's (plan::queue_scratch): empty, as write_queue_messages leaves them.
  message_writer(plan& p, std::uint64_t seed) : p_(p), seed_(seed) {
    text_.reserve(p.requests.size() * 256 + 1024);
    calls_.reserve(p.requests.size());
    // A chain and a run per call at most: a beacon's grown one at a time were 4 allocations more.
    chains_.reserve(std::min<std::size_t>(p.requests.size(), 64));
    runs_.reserve(std::min<std::size_t>(p.requests.size(), 8));
  }

  void run();

 private:
  using header_run = queue_rows::header_run;
  using chain = queue_rows::chain;
  using call = queue_rows::call;
  using chain_spans = queue_rows::chain_spans;

  std::string_view text_of(header_run const& r) const { return r.own.length ? text_of(r.own) : r.shared; }
  std::uint32_t header_run_of(planned_request const& r);
  std::uint32_t chain_of(planned_request const& r);
  void add_chain(planned_request const& r, std::uint32_t run, std::string_view destination, std::string_view order_key);
  piece write_call(planned_request const& r, std::uint32_t run, chain const& c);
  void append(piece x) { p_.bytes.append(text_, x.offset, x.length); }
  void write_envelope(chain const& c);
  void write_bodies(chain const& c);
  void flush(std::size_t first, std::size_t next, std::uint32_t flags);
  std::string_view text_of(piece x) const { return std::string_view(text_).substr(x.offset, x.length); }
  piece since(std::size_t start) const {
    return {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(text_.size() - start)};
  }
  void append_number(std::uint32_t n) {
    char digits[10];
    char* at = digits + sizeof digits;
    do *--at = static_cast<char>('0' + n % 10);
    while ((n /= 10) != 0);
    text_.append(at, static_cast<std::size_t>(digits + sizeof digits - at));
  }

  plan& p_;
  std::uint64_t seed_;
  std::string& text_ = p_.queue_scratch.text;
  std::vector<header_run>& runs_ = p_.queue_scratch.runs;
  flat_index<std::uint32_t>& run_index_ = p_.queue_scratch.run_index;
  struct recent_run {
    std::uint32_t first = 0, count = 0, run = none;
  };
  std::array<recent_run, 8> recent_runs_{};  // where in request_headers the last runs were found
  std::size_t next_recent_run_ = 0;
  std::vector<chain>& chains_ = p_.queue_scratch.chains;
  flat_index<std::uint32_t>& chain_index_ = p_.queue_scratch.chain_index;
  flat_index<chain_spans>& chain_by_spans_ = p_.queue_scratch.chain_by_spans;
  std::vector<call>& calls_ = p_.queue_scratch.calls;
};

std::uint32_t message_writer::header_run_of(planned_request const& r) {
  // Calls begun from one call_template share their run of headers (plan_writer.hpp): the same
  // place in request_headers is the same run, found without rendering it.
  for (auto const& seen : recent_runs_)
    if (seen.first == r.first_header && seen.count == r.header_count && seen.run != none) return seen.run;
  auto& remembered = recent_runs_[next_recent_run_];
  next_recent_run_ = (next_recent_run_ + 1) % recent_runs_.size();
  // Its JSON: as its template wrote it, or rendered here.
  header_run run;
  std::uint64_t hash = 0;
  for (auto const& t : p_.header_runs)
    if (t.first_header == r.first_header && t.header_count == r.header_count) {
      run.shared = t.json;
      hash = t.hash;
      break;
    }
  auto const start = text_.size();
  if (run.shared.empty()) {
    append_header_run(text_, r.header_count, [&](std::size_t i) {
      auto const& h = p_.request_headers[r.first_header + i];
      return header_text{p_.view(h.name), p_.view(h.value), p_.view(h.secret), h.format};
    });
    run.own = since(start);
    hash = hash_bytes(text_of(run.own), 0);
  }
  // Runs are known by their JSON, as the host compares headers: two templates (two sources' Gist,
  // say) with the same headers are one run, wherever their strings are in the plan.
  auto const json = text_of(run);
  auto [index, added] = run_index_.find_or_add(hash, [&](std::uint32_t i) { return text_of(runs_[i]) == json; });
  if (added) {
    *index = static_cast<std::uint32_t>(runs_.size());
    runs_.push_back(run);
  } else {
    text_.resize(start);  // known before: that run's text stands
  }
  remembered = {r.first_header, r.header_count, *index};
  return *index;
}

std::uint32_t message_writer::chain_of(planned_request const& r) {
  auto const same_spans = [&](chain_spans const& c) {
    return c.destination.offset == r.destination.offset && c.destination.length == r.destination.length &&
           c.order_key.offset == r.order_key.offset && c.order_key.length == r.order_key.length;
  };
  auto const spans = (std::uint64_t{r.destination.offset} << 32 | r.order_key.offset) ^
                     (std::uint64_t{r.destination.length} << 48 | r.order_key.length);
  auto [known, added_spans] = chain_by_spans_.find_or_add(hash_word(spans, seed_), same_spans);
  if (!added_spans) return known->chain;
  // Spans not seen before: the strings, which other spans may hold too.
  std::string_view const destination = p_.view(r.destination), order_key = p_.view(r.order_key);
  auto [at, added] = chain_index_.find_or_add(
      hash_bytes(order_key, seed_ ^ hash_bytes(destination, seed_)),
      [&](std::uint32_t i) { return chains_[i].destination == destination && chains_[i].order_key == order_key; });
  if (added) *at = static_cast<std::uint32_t>(chains_.size());  // add_chain makes it next
  *known = {r.destination, r.order_key, *at};
  return added ? none : *at;
}

void message_writer::add_chain(planned_request const& r, std::uint32_t run, std::string_view destination,
                               std::string_view order_key) {
  chain c;
  c.destination = destination;
  c.order_key = order_key;
  c.method = p_.view(r.method);
  c.url = p_.view(r.url);
  c.scope = p_.view(r.scope);
  c.run = run;
  auto const start = text_.size();
  text_ += R"({"v":1,"destination":)";
  json::write_json_string(text_, destination);
  text_ += R"(,"orderKey":)";
  json::write_json_string(text_, order_key);
  text_ += R"(,"method":)";
  json::write_json_string(text_, c.method);
  text_ += R"(,"headers":)";
  c.head = since(start);
  auto const defaults = text_.size();
  text_ += R"(,"url":)";
  json::write_json_string(text_, c.url);
  text_ += R"(,"scope":)";
  json::write_json_string(text_, c.scope);
  c.defaults = since(defaults);
  c.size = c.head.length + text_of(runs_[c.run]).size() + c.defaults.length + calls_open.size() + calls_close.size();
  chains_.push_back(c);
}

piece message_writer::write_call(planned_request const& r, std::uint32_t own, chain const& c) {
  auto const start = text_.size();
  text_ += '{';
  if (p_.view(r.method) != c.method) {
    text_ += R"("method":)";
    json::write_json_string(text_, p_.view(r.method));
    text_ += ',';
  }
  if (own != c.run) {
    text_ += R"("headers":)";
    // Perhaps a piece of text_ appended to itself: libc++ and libstdc++ copy it before freeing the old room.
    text_.append(text_of(runs_[own]));
    text_ += ',';
  }
  if (auto const url = p_.view(r.url); url != c.url) {
    text_ += R"("url":)";
    json::write_json_string(text_, url);
    text_ += ',';
  }
  if (auto const scope = p_.view(r.scope); scope != c.scope) {
    text_ += R"("scope":)";
    json::write_json_string(text_, scope);
    text_ += ',';
  }
  text_ += R"("bodyLength":)";
  append_number(r.body.length);
  text_ += R"(,"messageId":)";
  json::write_json_string(text_, p_.view(r.message_id));
  // The dedup key's ordinal (plan.hpp planned_request::scope); no key for a call without a messageId.
  if (r.message_id.length != 0) {
    text_ += R"(,"ordinal":)";
    append_number(r.ordinal);
  }
  if (r.flags != 0) {
    text_ += R"(,"flags":)";
    append_number(r.flags);
  }
  text_ += '}';
  return since(start);
}

// A message: the envelope (its chains' JSON), a newline, then every call's body in order.
void message_writer::write_envelope(chain const& c) {
  append(c.head);
  p_.bytes.append(text_of(runs_[c.run]));
  append(c.defaults);
  p_.bytes += calls_open;
  for (auto i = c.first_call; i != none; i = calls_[i].next) {
    if (i != c.first_call) p_.bytes += ',';
    append(calls_[i].json);
  }
  p_.bytes += calls_close;
}

void message_writer::write_bodies(chain const& c) {
  // From p.bytes into p.bytes: the reserve in run() keeps the source where it is.
  for (auto i = c.first_call; i != none; i = calls_[i].next)
    p_.bytes.append(p_.bytes, calls_[i].body.offset, calls_[i].body.length);
}

// Chains [first, next) as one message: alone as it is, or as a bundle.
void message_writer::flush(std::size_t first, std::size_t next, std::uint32_t flags) {
  if (next == first) return;
  auto const start = p_.bytes.size();
  if (next - first == 1) {
    write_envelope(chains_[first]);
  } else {
    p_.bytes += bundle_head;
    for (std::size_t i = first; i < next; ++i) {
      if (i != first) p_.bytes += ',';
      write_envelope(chains_[i]);
    }
    p_.bytes += bundle_tail;
  }
  p_.bytes += '\n';
  for (std::size_t i = first; i < next; ++i) write_bodies(chains_[i]);
  p_.messages.push_back({{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(p_.bytes.size() - start)},
                         static_cast<std::uint32_t>(next - first),
                         flags});
}

void message_writer::run() {
  // Chains: the calls of one destination and order key, in plan order; chains in order of first
  // appearance.
  for (auto const& r : p_.requests) {
    auto at = chain_of(r);
    // (A new run's JSON is written here, before the text of the chain or call that names it.)
    auto const run = header_run_of(r);
    if (at == none) {
      at = static_cast<std::uint32_t>(chains_.size());
      add_chain(r, run, p_.view(r.destination), p_.view(r.order_key));
    }
    auto& c = chains_[at];
    auto const id = static_cast<std::uint32_t>(calls_.size());
    auto const json = write_call(r, run, c);
    // Member by member: a call built whole and copied in was read back as 16 bytes just stored
    // as two 8-byte halves (a store-forwarding stall natively, perf).
    auto& added = calls_.emplace_back();
    added.json = json;
    added.body = r.body;
    if (c.last_call == none)
      c.first_call = id;
    else
      calls_[c.last_call].next = id;
    c.last_call = id;
    c.size += json.length + r.body.length + (c.first_call != id ? 1 : 0);
  }

  // Messages: consecutive chains share a bundle while it stays within the limit. A bundle's own
  // bytes: its head, its tail and the newline.
  std::size_t const bundle_overhead = bundle_head.size() + bundle_tail.size() + 1;
  std::size_t total = 0;  // at most: every chain a message of its own
  for (auto const& c : chains_) total += c.size + bundle_overhead;
  p_.bytes.reserve(p_.bytes.size() + total);
  std::size_t first = 0;  // the group being filled: chains [first, i)
  std::size_t size = bundle_overhead;
  for (std::size_t i = 0; i < chains_.size(); ++i) {
    auto const bytes = chains_[i].size;
    if (bytes + 1 > queue_message_max_bytes) {  // alone: the chain and the newline
      flush(first, i, 0);
      flush(i, i + 1, oversized_chain);
      first = i + 1;
      size = bundle_overhead;
      continue;
    }
    // A bundle with this chain: size + bytes (its chains, a comma between two).
    if (i != first && size + bytes > queue_message_max_bytes) {
      flush(first, i, 0);
      first = i;
      size = bundle_overhead;
    }
    size += bytes + 1;
  }
  flush(first, chains_.size(), 0);
}

}  // namespace

namespace detail {
void append_header(std::string& out, header_text const& h) {
  out += R"({"name":)";
  json::write_json_string(out, h.name);
  if (h.format == secret_format::none || h.secret.empty()) {
    out += R"(,"value":)";
    json::write_json_string(out, h.value);
  } else {
    out += R"(,"secret":)";
    json::write_json_string(out, h.secret);
    out += R"(,"format":")";
    out += secret_format_names[static_cast<std::uint32_t>(h.format)];
    out += '"';
  }
  out += '}';
}
}  // namespace detail

void write_queue_messages(plan& p, std::uint64_t seed) {
  p.messages.clear();
  if (p.requests.empty()) return;
  message_writer(p, seed).run();
  // Empty for the next time; a big request's rows freed now, before the plan's encoding.
  p.queue_scratch.reset(plan_kept_table_bytes);
}

}  // namespace ajs
