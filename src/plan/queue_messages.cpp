#include "plan/queue_messages.hpp"

#include <deque>
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

// A piece of text in one of the writer's scratch buffers.
struct piece {
  std::uint32_t offset = 0, length = 0;
};

// Each call's JSON, written once into scratch space, so that chain sizes are known before any
// message is assembled (bundling needs them) and the text is copied once into the plan:
//   {["method":…,]["headers":[…],]"url":…,"bodyLength":n,"messageId":…,"key":…[,"flags":n]}
// (method, headers: where not the chain's). The body itself goes in the message's bodies section.
// A destination's calls carry the same headers: their JSON is rendered once per header run.
class call_writer {
 public:
  explicit call_writer(plan const& p) : p_(p) {}

  struct call_text {
    piece json;
    byte_span body;
    std::size_t size() const { return std::size_t{json.length} + body.length; }
  };

  // The JSON of a request's header run, rendered once per run (the pointer is stable: one run, one
  // string).
  std::string const* headers(planned_request const& r);

  // A call of a chain whose calls default to `method` and `headers` (the chain's first call's):
  // it names its own only where they differ.
  call_text write(planned_request const& r, std::string_view method, std::string const* headers) {
    auto const start = text_.size();
    text_ += '{';
    if (p_.view(r.method) != method) {
      text_ += R"("method":)";
      json::write_json_string(text_, p_.view(r.method));
      text_ += ',';
    }
    if (auto const* own = this->headers(r); own != headers) {
      text_ += R"("headers":)";
      text_ += *own;
      text_ += ',';
    }
    text_ += R"("url":)";
    json::write_json_string(text_, p_.view(r.url));
    text_ += R"(,"bodyLength":)";
    append_number(r.body.length);
    text_ += R"(,"messageId":)";
    json::write_json_string(text_, p_.view(r.message_id));
    // The dedup key (plan.hpp planned_request::scope); none for a call without a messageId.
    text_ += R"(,"key":)";
    if (r.message_id.length == 0) {
      text_ += R"("")";
    } else {
      key_.assign(p_.view(r.scope));
      key_ += '|';
      key_ += p_.view(r.message_id);
      key_ += '|';
      key_ += std::to_string(r.ordinal);
      json::write_json_string(text_, key_);
    }
    if (r.flags != 0) {
      text_ += R"(,"flags":)";
      append_number(r.flags);
    }
    text_ += '}';
    return {{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(text_.size() - start)}, r.body};
  }

  // Appends a call's JSON to `out`.
  void copy_json(call_text const& t, std::string& out) const { out.append(text_, t.json.offset, t.json.length); }

 private:
  void append_number(std::uint32_t n) {
    char digits[10];
    char* p = digits + sizeof digits;
    do *--p = static_cast<char>('0' + n % 10);
    while ((n /= 10) != 0);
    text_.append(p, static_cast<std::size_t>(digits + sizeof digits - p));
  }

  plan const& p_;
  std::string text_;  // the calls' JSON
  // Header runs known by their interned spans: equal spans, equal headers.
  struct header_run {
    std::uint32_t first = 0, count = 0;
    std::string json;
  };
  std::deque<header_run> runs_;          // a deque: the JSON strings stay where they are
  flat_index<std::uint32_t> run_index_;  // → runs_
  std::string key_;
};

// [{"name","value"} | {"name","secret","format"}, …]; headers are interned spans, so one run of
// them is known by its spans.
std::string const* call_writer::headers(planned_request const& r) {
  static_assert(sizeof(planned_header) == 7 * sizeof(std::uint32_t), "compared as bytes: no padding");
  auto const bytes = [&](std::uint32_t first) {
    return std::string_view(reinterpret_cast<char const*>(p_.request_headers.data() + first),
                            r.header_count * sizeof(planned_header));
  };
  auto const run = bytes(r.first_header);
  auto [index, added] = run_index_.find_or_add(hash_bytes(run, 0), [&](std::uint32_t i) {
    return runs_[i].count == r.header_count && bytes(runs_[i].first) == run;
  });
  if (!added) return &runs_[*index].json;
  *index = static_cast<std::uint32_t>(runs_.size());
  runs_.push_back({r.first_header, r.header_count, {}});
  std::string& json = runs_.back().json;
  json += '[';
  for (std::uint32_t h = 0; h < r.header_count; ++h) {
    auto const& header = p_.request_headers[r.first_header + h];
    if (h) json += ',';
    json += R"({"name":)";
    json::write_json_string(json, p_.view(header.name));
    if (header.format == secret_format::none || header.secret.length == 0) {
      json += R"(,"value":)";
      json::write_json_string(json, p_.view(header.value));
    } else {
      json += R"(,"secret":)";
      json::write_json_string(json, p_.view(header.secret));
      json += R"(,"format":")";
      json += secret_format_names[static_cast<std::uint32_t>(header.format)];
      json += '"';
    }
    json += '}';
  }
  json += ']';
  return &json;
}

}  // namespace

void write_queue_messages(plan& p, std::uint64_t seed) {
  p.messages.clear();
  if (p.requests.empty()) return;

  // Chains: the calls of one destination and order key, in plan order; chains in order of first
  // appearance.
  struct chain {
    std::string head;  // {"v":1,"destination":…,"orderKey":…,"method":…,"headers":[…],"calls":[
    std::string_view destination, order_key;  // views into p.bytes: read before it grows below
    std::string_view method;
    std::string const* headers = nullptr;
    std::vector<call_writer::call_text> calls;
    std::size_t size = 0;  // its JSON's bytes and its calls' bodies'
  };
  flat_index<std::uint32_t> index;  // → chains
  std::vector<chain> chains;
  call_writer calls(p);
  for (auto const& r : p.requests) {
    std::string_view const destination = p.view(r.destination), order_key = p.view(r.order_key);
    auto [at, added] = index.find_or_add(
        hash_bytes(order_key, seed ^ hash_bytes(destination, seed)),
        [&](std::uint32_t i) { return chains[i].destination == destination && chains[i].order_key == order_key; });
    if (added) {
      *at = static_cast<std::uint32_t>(chains.size());
      chain c;
      c.destination = destination;
      c.order_key = order_key;
      c.method = p.view(r.method);
      c.headers = calls.headers(r);
      c.head = R"({"v":1,"destination":)";
      json::write_json_string(c.head, destination);
      c.head += R"(,"orderKey":)";
      json::write_json_string(c.head, order_key);
      c.head += R"(,"method":)";
      json::write_json_string(c.head, c.method);
      c.head += R"(,"headers":)";
      c.head += *c.headers;
      c.head += R"(,"calls":[)";
      c.size = c.head.size() + 2;  // and "]}"
      chains.push_back(std::move(c));
    }
    auto& c = chains[*at];
    c.calls.push_back(calls.write(r, c.method, c.headers));
    c.size += c.calls.back().size() + (c.calls.size() > 1 ? 1 : 0);
  }

  // A message: the envelope (its chains' JSON), a newline, then every call's body in order.
  auto write_envelope = [&](chain const& c) {
    p.bytes += c.head;
    for (std::size_t i = 0; i < c.calls.size(); ++i) {
      if (i) p.bytes += ',';
      calls.copy_json(c.calls[i], p.bytes);
    }
    p.bytes += "]}";
  };
  auto write_bodies = [&](chain const& c) {
    // From p.bytes into p.bytes: the reserve below keeps the source where it is.
    for (auto const& call : c.calls) p.bytes.append(p.bytes, call.body.offset, call.body.length);
  };

  // Messages: consecutive chains share a bundle while it stays within the limit. A bundle's own
  // bytes: its head, its tail and the newline.
  std::size_t const bundle_overhead = bundle_head.size() + bundle_tail.size() + 1;
  std::size_t total = 0;  // at most: every chain a message of its own
  for (auto const& c : chains) total += c.size + bundle_overhead;
  p.bytes.reserve(p.bytes.size() + total);
  std::size_t first = 0;  // the group being filled: chains [first, next)
  std::size_t size = bundle_overhead;
  auto flush = [&](std::size_t next, std::uint32_t flags) {
    if (next == first) return;
    auto const start = p.bytes.size();
    if (next - first == 1) {
      write_envelope(chains[first]);
    } else {
      p.bytes += bundle_head;
      for (std::size_t i = first; i < next; ++i) {
        if (i != first) p.bytes += ',';
        write_envelope(chains[i]);
      }
      p.bytes += bundle_tail;
    }
    p.bytes += '\n';
    for (std::size_t i = first; i < next; ++i) write_bodies(chains[i]);
    p.messages.push_back({{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(p.bytes.size() - start)},
                          static_cast<std::uint32_t>(next - first),
                          flags});
    first = next;
    size = bundle_overhead;
  };
  for (std::size_t i = 0; i < chains.size(); ++i) {
    auto const bytes = chains[i].size;
    if (bytes + 1 > queue_message_max_bytes) {  // alone: the chain and the newline
      flush(i, 0);
      flush(i + 1, oversized_chain);
      continue;
    }
    // A bundle with this chain: size + bytes (its chains, a comma between two).
    if (i != first && size + bytes > queue_message_max_bytes) flush(i, 0);
    size += bytes + 1;
  }
  flush(chains.size(), 0);
}

}  // namespace ajs
