#include "plan/queue_messages.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

#include "json/write_json.hpp"

namespace ajs {

namespace {

// The host's names of the secret formats (host-shims/core/plan.mjs SECRET_FORMAT): the
// enumerators' own names, in their order.
constexpr std::string_view secret_format_names[] = {"none", "raw", "bearer", "basic_username"};

constexpr std::string_view bundle_head = R"({"v":2,"chains":[)";
constexpr std::string_view bundle_tail = "]}";

class chain_writer {
 public:
  chain_writer(plan const& p, std::string& out) : p_(p), out_(out) {}

  void chain(std::vector<std::uint32_t> const& calls) {
    auto const& first = p_.requests[calls.front()];
    out_ += R"({"v":1,"destination":)";
    string(first.destination);
    out_ += R"(,"orderKey":)";
    string(first.order_key);
    out_ += R"(,"calls":[)";
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (i) out_ += ',';
      call(p_.requests[calls[i]]);
    }
    out_ += "]}";
  }

 private:
  void string(byte_span s) { json::write_json_string(out_, p_.view(s)); }

  void call(planned_request const& r) {
    out_ += R"({"method":)";
    string(r.method);
    out_ += R"(,"url":)";
    string(r.url);
    out_ += R"(,"headers":[)";
    for (std::uint32_t h = 0; h < r.header_count; ++h) {
      auto const& header = p_.request_headers[r.first_header + h];
      if (h) out_ += ',';
      out_ += R"({"name":)";
      string(header.name);
      if (header.format == secret_format::none || header.secret.length == 0) {
        out_ += R"(,"value":)";
        string(header.value);
      } else {
        out_ += R"(,"secret":)";
        string(header.secret);
        out_ += R"(,"format":")";
        out_ += secret_format_names[static_cast<std::uint32_t>(header.format)];
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += R"(],"body":)";
    string(r.body);
    out_ += R"(,"messageId":)";
    string(r.message_id);
    // The dedup key (plan.hpp planned_request::scope); none for a call without a messageId.
    out_ += R"(,"key":)";
    if (r.message_id.length == 0) {
      out_ += R"("")";
    } else {
      key_.assign(p_.view(r.scope));
      key_ += '|';
      key_ += p_.view(r.message_id);
      key_ += '|';
      key_ += std::to_string(r.ordinal);
      json::write_json_string(out_, key_);
    }
    if (r.flags != 0) {
      out_ += R"(,"flags":)";
      out_ += std::to_string(r.flags);
    }
    out_ += '}';
  }

  plan const& p_;
  std::string& out_;
  std::string key_;
};

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
  std::unordered_map<chain_key, std::uint32_t, chain_key_hash> index;
  std::vector<std::vector<std::uint32_t>> chains;
  for (std::uint32_t i = 0; i < p.requests.size(); ++i) {
    chain_key const key{p.view(p.requests[i].destination), p.view(p.requests[i].order_key)};
    auto [it, added] = index.try_emplace(key, static_cast<std::uint32_t>(chains.size()));
    if (added) chains.emplace_back();
    chains[it->second].push_back(i);
  }

  // Each chain written once, then the messages: bundles of consecutive chains within the limit.
  std::string written;
  std::vector<std::size_t> ends;
  chain_writer writer(p, written);
  for (auto const& c : chains) {
    writer.chain(c);
    ends.push_back(written.size());
  }
  auto chain_text = [&](std::size_t i) {
    std::size_t const begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(written).substr(begin, ends[i] - begin);
  };

  p.bytes.reserve(p.bytes.size() + written.size() + bundle_head.size() * chains.size());
  std::size_t first = 0;  // the group being filled: chains [first, next)
  std::size_t size = bundle_head.size() + bundle_tail.size();
  auto flush = [&](std::size_t next, std::uint32_t flags) {
    if (next == first) return;
    auto const start = p.bytes.size();
    if (next - first == 1) {
      p.bytes += chain_text(first);
    } else {
      p.bytes += bundle_head;
      for (std::size_t i = first; i < next; ++i) {
        if (i != first) p.bytes += ',';
        p.bytes += chain_text(i);
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
    auto const bytes = chain_text(i).size();
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
