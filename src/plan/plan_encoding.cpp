#include "plan/plan_encoding.hpp"

#include <cstring>

namespace ajs {

namespace {

// Every field is a little-endian u32 (wasm is little-endian, so are our native targets).
constexpr std::size_t header_words = 18;
constexpr std::size_t reply_header_words = 4;
constexpr std::size_t request_words = 18;
constexpr std::size_t request_header_words = 8;
constexpr std::size_t note_words = 8;
constexpr std::size_t rate_limit_words = 4;
constexpr std::size_t message_words = 4;
constexpr std::size_t source_words = 2;
static_assert(header_words * 4 == plan_header_bytes, "plan::bytes leaves the header its room");

// Writes into room made beforehand (a plan's tables are MBs of words: appended 4 bytes at a time
// they were 10 % of planning a big batch).
struct word_writer {
  char* at;
  void put(std::uint32_t w) {
    std::memcpy(at, &w, 4);
    at += 4;
  }
  void put(byte_span s) {
    put(s.offset);
    put(s.length);
  }
};

struct word_reader {
  std::string_view in;
  std::size_t at = 0;
  bool ok = true;
  std::uint32_t get() {
    if (at + 4 > in.size()) {
      ok = false;
      return 0;
    }
    std::uint32_t w;
    std::memcpy(&w, in.data() + at, 4);
    at += 4;
    return w;
  }
  byte_span span() {
    byte_span s;
    s.offset = get();
    s.length = get();
    return s;
  }
};

}  // namespace

namespace {

// The tables after the data, from a 4-byte boundary; then the header over the data's first 64
// bytes (plan_header_bytes, left free by plan::bytes for it).
void finish(plan const& p, std::string& out) {
  out.resize((out.size() + 3) & ~std::size_t{3}, '\0');
  std::size_t const tables_offset = out.size();
  std::size_t const table_words = p.reply_headers.size() * reply_header_words + p.requests.size() * request_words +
                                  p.request_headers.size() * request_header_words + p.notes.size() * note_words +
                                  p.rate_limits.size() * rate_limit_words + p.messages.size() * message_words +
                                  p.sources.size() * source_words;
  out.resize(tables_offset + 4 * table_words);
  word_writer w{out.data() + tables_offset};
  for (auto const& h : p.reply_headers) {
    w.put(h.name);
    w.put(h.value);
  }
  for (auto const& r : p.requests) {
    w.put(r.destination);
    w.put(r.method);
    w.put(r.url);
    w.put(r.first_header);
    w.put(r.header_count);
    w.put(r.body);
    w.put(r.message_id);
    w.put(r.order_key);
    w.put(r.flags);
    w.put(r.ordinal);
    w.put(r.scope);
  }
  for (auto const& h : p.request_headers) {
    w.put(h.name);
    w.put(h.value);
    w.put(h.secret);
    w.put(static_cast<std::uint32_t>(h.format));
    w.put(0);
  }
  for (auto const& n : p.notes) {
    w.put(static_cast<std::uint32_t>(n.kind));
    w.put(n.destination);
    w.put(n.message_id);
    w.put(n.reason);
    w.put(0);
  }
  for (auto const& l : p.rate_limits) {
    w.put(l.binding);
    w.put(l.key);
  }
  for (auto const& m : p.messages) {
    w.put(m.body);
    w.put(m.chains);
    w.put(m.flags);
  }
  for (auto const& s : p.sources) w.put(s);
  std::uint32_t const header[header_words] = {
      plan_magic,
      plan_format_version,
      p.status,
      static_cast<std::uint32_t>(p.reply_headers.size()),
      static_cast<std::uint32_t>(p.requests.size()),
      static_cast<std::uint32_t>(p.request_headers.size()),
      static_cast<std::uint32_t>(p.notes.size()),
      p.counters.events_received,
      p.counters.events_accepted,
      p.counters.events_rejected,
      p.reply_body.offset,
      p.reply_body.length,
      static_cast<std::uint32_t>(tables_offset),
      static_cast<std::uint32_t>(out.size()),
      static_cast<std::uint32_t>(p.rate_limits.size()),
      static_cast<std::uint32_t>(p.messages.size()),
      static_cast<std::uint32_t>(p.sources.size()),
      0,
  };
  std::memcpy(out.data(), header, sizeof header);
}

}  // namespace

void encode_plan(plan const& p, std::string& out) {
  out.assign(p.bytes);
  finish(p, out);
}

void take_encoded_plan(plan& p, std::string& out) {
  out.swap(p.bytes);
  finish(p, out);
}

result<plan> decode_plan(std::string_view encoded) {
  word_reader r{encoded};
  plan p;
  if (r.get() != plan_magic || r.get() != plan_format_version) return invalid_request("not a plan");
  p.status = r.get();
  std::size_t const reply_headers = r.get(), requests = r.get(), request_headers = r.get(), notes = r.get();
  p.counters.events_received = r.get();
  p.counters.events_accepted = r.get();
  p.counters.events_rejected = r.get();
  p.reply_body = r.span();
  std::size_t const tables_offset = r.get(), total = r.get();
  std::size_t const rate_limits = r.get();
  std::size_t const messages = r.get();
  std::size_t const sources = r.get();
  r.get();
  if (!r.ok || total != encoded.size() || tables_offset < header_words * 4 || tables_offset > encoded.size() ||
      tables_offset % 4 != 0)
    return invalid_request("plan header out of bounds");
  std::size_t const tables = reply_headers * reply_header_words + requests * request_words +
                             request_headers * request_header_words + notes * note_words +
                             rate_limits * rate_limit_words + messages * message_words + sources * source_words;
  if (tables_offset + tables * 4 != encoded.size()) return invalid_request("plan tables out of bounds");
  p.bytes.assign(encoded.substr(0, tables_offset));
  r.at = tables_offset;
  std::size_t const bytes_length = tables_offset;
  auto in_bounds = [&](byte_span s) { return std::size_t{s.offset} + s.length <= bytes_length; };
  bool ok = in_bounds(p.reply_body);
  for (std::size_t i = 0; i < reply_headers; ++i) {
    planned_header h;
    h.name = r.span();
    h.value = r.span();
    ok = ok && in_bounds(h.name) && in_bounds(h.value);
    p.reply_headers.push_back(h);
  }
  for (std::size_t i = 0; i < requests; ++i) {
    planned_request q;
    q.destination = r.span();
    q.method = r.span();
    q.url = r.span();
    q.first_header = r.get();
    q.header_count = r.get();
    q.body = r.span();
    q.message_id = r.span();
    q.order_key = r.span();
    q.flags = r.get();
    q.ordinal = r.get();
    q.scope = r.span();
    ok = ok && in_bounds(q.destination) && in_bounds(q.method) && in_bounds(q.url) && in_bounds(q.body) &&
         in_bounds(q.message_id) && in_bounds(q.order_key) && in_bounds(q.scope) &&
         std::size_t{q.first_header} + q.header_count <= request_headers;
    p.requests.push_back(q);
  }
  for (std::size_t i = 0; i < request_headers; ++i) {
    planned_header h;
    h.name = r.span();
    h.value = r.span();
    h.secret = r.span();
    h.format = static_cast<secret_format>(r.get());
    r.get();
    ok = ok && in_bounds(h.name) && in_bounds(h.value) && in_bounds(h.secret);
    p.request_headers.push_back(h);
  }
  for (std::size_t i = 0; i < notes; ++i) {
    plan_note n;
    n.kind = static_cast<note_kind>(r.get());
    n.destination = r.span();
    n.message_id = r.span();
    n.reason = r.span();
    r.get();
    ok = ok && in_bounds(n.destination) && in_bounds(n.message_id) && in_bounds(n.reason);
    p.notes.push_back(n);
  }
  for (std::size_t i = 0; i < rate_limits; ++i) {
    rate_limit_check l;
    l.binding = r.span();
    l.key = r.span();
    ok = ok && in_bounds(l.binding) && in_bounds(l.key);
    p.rate_limits.push_back(l);
  }
  for (std::size_t i = 0; i < messages; ++i) {
    queue_message m;
    m.body = r.span();
    m.chains = r.get();
    m.flags = r.get();
    ok = ok && in_bounds(m.body);
    p.messages.push_back(m);
  }
  for (std::size_t i = 0; i < sources; ++i) {
    p.sources.push_back(r.span());
    ok = ok && in_bounds(p.sources.back());
  }
  if (!r.ok || !ok) return invalid_request("plan span out of bounds");
  return p;
}

}  // namespace ajs
