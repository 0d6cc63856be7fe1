#include "plan/queue_messages.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json/write_json.hpp"

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

// Each call's JSON, written once into scratch space as pieces, so that chain sizes are known
// before any message is assembled (bundling needs them) and the text is copied once into the plan:
//   head  {["method":…,]["headers":[…],]"url":…,"body":   (method, headers: where not the chain's)
//   body  the body as a JSON string: escaped once per body span (Gainsight and PX share theirs)
//   tail  ,"messageId":…,"key":…[,"flags":n]}
// A destination's calls carry the same headers: their JSON is rendered once per header run.
class call_writer {
 public:
  explicit call_writer(plan const& p) : p_(p) {}

  struct call_text {
    piece head, body, tail;
    std::size_t size() const { return std::size_t{head.length} + body.length + tail.length; }
  };

  // The JSON of a request's header run, rendered once per run (the pointer is stable: one run, one
  // string).
  std::string const* headers(planned_request const& r);

  // A call of a chain whose calls default to `method` and `headers` (the chain's first call's):
  // it names its own only where they differ.
  call_text write(planned_request const& r, std::string_view method, std::string const* headers) {
    call_text t;
    auto const head_start = text_.size();
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
    text_ += R"(,"body":)";
    t.head = {static_cast<std::uint32_t>(head_start), static_cast<std::uint32_t>(text_.size() - head_start)};
    t.body = escaped_body(r.body);
    auto const tail_start = text_.size();
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
      text_ += std::to_string(r.flags);
    }
    text_ += '}';
    t.tail = {static_cast<std::uint32_t>(tail_start), static_cast<std::uint32_t>(text_.size() - tail_start)};
    return t;
  }

  // Appends a call's text to `out`.
  void copy(call_text const& t, std::string& out) const {
    out.append(text_, t.head.offset, t.head.length);
    out.append(bodies_, t.body.offset, t.body.length);
    out.append(text_, t.tail.offset, t.tail.length);
  }

 private:
  piece escaped_body(byte_span body) {
    auto [it, added] = bodies_at_.try_emplace(std::uint64_t{body.offset} << 32 | body.length, piece{});
    if (added) {
      auto const start = bodies_.size();
      json::write_json_string(bodies_, p_.view(body));
      it->second = {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(bodies_.size() - start)};
    }
    return it->second;
  }

  plan const& p_;
  std::string text_;                                    // heads and tails
  std::string bodies_;                                  // escaped bodies
  std::unordered_map<std::uint64_t, piece> bodies_at_;  // by body span: offset, length
  std::unordered_map<std::string, std::string> header_runs_;
  std::string run_key_, key_;
};

// [{"name","value"} | {"name","secret","format"}, …]; headers are interned spans, so one run of
// them is known by its spans.
std::string const* call_writer::headers(planned_request const& r) {
  run_key_.clear();
  for (std::uint32_t h = 0; h < r.header_count; ++h) {
    auto const& header = p_.request_headers[r.first_header + h];
    for (std::uint32_t w : {header.name.offset, header.name.length, header.value.offset, header.value.length,
                            header.secret.offset, header.secret.length, static_cast<std::uint32_t>(header.format)})
      run_key_.append(reinterpret_cast<char const*>(&w), sizeof w);
  }
  auto [it, added] = header_runs_.try_emplace(run_key_);
  if (!added) return &it->second;
  std::string& json = it->second;
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

void write_queue_messages(plan& p) {
  p.messages.clear();
  if (p.requests.empty()) return;

  // Chains: the calls of one destination and order key, in plan order; chains in order of first
  // appearance.
  struct chain_key {
    std::string_view destination, order_key;
    bool operator==(chain_key const& o) const { return destination == o.destination && order_key == o.order_key; }
  };
  struct chain_key_hash {
    std::size_t operator()(chain_key const& k) const {
      return std::hash<std::string_view>{}(k.order_key) * 31 + std::hash<std::string_view>{}(k.destination);
    }
  };
  struct chain {
    std::string head;  // {"v":1,"destination":…,"orderKey":…,"method":…,"headers":[…],"calls":[
    std::string_view method;
    std::string const* headers = nullptr;
    std::vector<call_writer::call_text> calls;
    std::size_t size = 0;  // its JSON's bytes
  };
  std::unordered_map<chain_key, std::uint32_t, chain_key_hash> index;
  std::vector<chain> chains;
  call_writer calls(p);
  for (auto const& r : p.requests) {
    chain_key const key{p.view(r.destination), p.view(r.order_key)};
    auto [it, added] = index.try_emplace(key, static_cast<std::uint32_t>(chains.size()));
    if (added) {
      chain c;
      c.method = p.view(r.method);
      c.headers = calls.headers(r);
      c.head = R"({"v":1,"destination":)";
      json::write_json_string(c.head, key.destination);
      c.head += R"(,"orderKey":)";
      json::write_json_string(c.head, key.order_key);
      c.head += R"(,"method":)";
      json::write_json_string(c.head, c.method);
      c.head += R"(,"headers":)";
      c.head += *c.headers;
      c.head += R"(,"calls":[)";
      c.size = c.head.size() + 2;  // and "]}"
      chains.push_back(std::move(c));
    }
    auto& c = chains[it->second];
    c.calls.push_back(calls.write(r, c.method, c.headers));
    c.size += c.calls.back().size() + (c.calls.size() > 1 ? 1 : 0);
  }

  auto write_chain = [&](chain const& c) {
    p.bytes += c.head;
    for (std::size_t i = 0; i < c.calls.size(); ++i) {
      if (i) p.bytes += ',';
      calls.copy(c.calls[i], p.bytes);
    }
    p.bytes += "]}";
  };

  // Messages: consecutive chains share a bundle while it stays within the limit.
  std::size_t total = 0;
  for (auto const& c : chains) total += c.size + 1;
  p.bytes.reserve(p.bytes.size() + total + bundle_head.size() * chains.size());
  std::size_t first = 0;  // the group being filled: chains [first, next)
  std::size_t size = bundle_head.size() + bundle_tail.size();
  auto flush = [&](std::size_t next, std::uint32_t flags) {
    if (next == first) return;
    auto const start = p.bytes.size();
    if (next - first == 1) {
      write_chain(chains[first]);
    } else {
      p.bytes += bundle_head;
      for (std::size_t i = first; i < next; ++i) {
        if (i != first) p.bytes += ',';
        write_chain(chains[i]);
      }
      p.bytes += bundle_tail;
    }
    p.messages.push_back({{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(p.bytes.size() - start)},
                          static_cast<std::uint32_t>(next - first),
                          flags});
    first = next;
    size = bundle_head.size() + bundle_tail.size();
  };
  for (std::size_t i = 0; i < chains.size(); ++i) {
    auto const bytes = chains[i].size;
    if (bytes > queue_message_max_bytes) {
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
