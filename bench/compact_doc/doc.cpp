#include "doc.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <cstring>

#include "json/parse_json.hpp"
#include "plan/flat_index.hpp"

namespace ajs::json::doc {

namespace bj = boost::json;

namespace {

constexpr std::uint32_t no_part = ~std::uint32_t{0};
constexpr std::uint32_t small_object = 16;  // keys compared pairwise up to this many members

bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && std::memcmp(a.data(), b.data(), a.size()) == 0));
}

}  // namespace

// basic_parser's handler: appends each value's node as the parser meets it.
struct builder {
  static constexpr std::size_t max_object_size = 0xFFFFFFFF;
  static constexpr std::size_t max_array_size = 0xFFFFFFFF;
  static constexpr std::size_t max_key_size = 0xFFFFFFFF;
  static constexpr std::size_t max_string_size = 0xFFFFFFFF;

  builder(document& doc, std::uint64_t hash_seed) : d(doc), seed(hash_seed) {}

  document& d;
  std::vector<std::uint32_t> open;  // the containers begun and not ended
  std::uint32_t part = no_part;     // where in d.own_ a string read in parts began
  std::uint64_t seed;
  // Reused by without_duplicates: the members' key nodes, which member each repeats, ….
  std::vector<std::uint32_t> keys, first, last, table;
  std::vector<node> scratch;  // an object with a duplicate key, rewritten

  bool in_text(bj::string_view s) const {
    auto const p = reinterpret_cast<std::uintptr_t>(s.data());
    auto const b = reinterpret_cast<std::uintptr_t>(d.text_.data());
    return p >= b && p + s.size() <= b + d.text_.size();
  }
  void add_string(bj::string_view s) {
    node n;
    n.k = kind::string;
    if (part == no_part && in_text(s)) {
      n.in_text = true;
      n.at.offset = static_cast<std::uint32_t>(s.data() - d.text_.data());
    } else {
      if (part == no_part) part = static_cast<std::uint32_t>(d.own_.size());
      d.own_.append(s.data(), s.size());
      n.at.offset = part;
      part = no_part;
    }
    n.count = static_cast<std::uint32_t>(n.in_text ? s.size() : d.own_.size() - n.at.offset);
    d.nodes_.push_back(n);
  }
  void add_part(bj::string_view s) {
    if (part == no_part) part = static_cast<std::uint32_t>(d.own_.size());
    d.own_.append(s.data(), s.size());
  }
  void begin(kind k) {
    open.push_back(static_cast<std::uint32_t>(d.nodes_.size()));
    node n;
    n.k = k;
    d.nodes_.push_back(n);
  }
  void end(std::size_t count) {
    auto const at = open.back();
    open.pop_back();
    auto& n = d.nodes_[at];
    n.count = static_cast<std::uint32_t>(count);
    n.at.size = static_cast<std::uint32_t>(d.nodes_.size() - at);
    if (n.k == kind::object && count > 1) without_duplicates(at);
  }

  // The object at `at` (the last subtree of the nodes) with each repeated key once: at its first
  // place, with its last value.
  void without_duplicates(std::uint32_t at);

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) {
    begin(kind::object);
    return true;
  }
  bool on_object_end(std::size_t n, bj::error_code&) {
    end(n);
    return true;
  }
  bool on_array_begin(bj::error_code&) {
    begin(kind::array);
    return true;
  }
  bool on_array_end(std::size_t n, bj::error_code&) {
    end(n);
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    add_part(s);
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    add_string(s);
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    add_part(s);
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    add_string(s);
    return true;
  }
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(std::int64_t i, bj::string_view, bj::error_code&) {
    node n;
    n.k = kind::int64;
    n.i = i;
    d.nodes_.push_back(n);
    return true;
  }
  bool on_uint64(std::uint64_t u, bj::string_view, bj::error_code&) {
    node n;
    n.k = kind::uint64;
    n.u = u;
    d.nodes_.push_back(n);
    return true;
  }
  bool on_double(double v, bj::string_view s, bj::error_code&) {
    std::string_view const text(s.data(), s.size());
    node n;
    n.k = kind::double_;
    n.d = json::boost_reads_exactly(text) ? v : json::read_double(text);
    d.nodes_.push_back(n);
    return true;
  }
  bool on_bool(bool b, bj::error_code&) {
    node n;
    n.k = kind::boolean;
    n.b = b;
    d.nodes_.push_back(n);
    return true;
  }
  bool on_null(bj::error_code&) {
    d.nodes_.emplace_back();
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

void builder::without_duplicates(std::uint32_t at) {
  auto& nodes = d.nodes_;
  std::uint32_t const count = nodes[at].count;
  keys.clear();
  for (std::uint32_t k = at + 1, m = 0; m < count; ++m) {
    keys.push_back(k);
    k += 1 + value(&d, k + 1).subtree();
  }
  auto const key = [&](std::uint32_t m) { return d.string_of(nodes[keys[m]]); };
  // first[m]: the member whose key member m repeats (itself when new), found pairwise in a small
  // object and through a table of hashes (seeded by the caller) in a big one.
  first.resize(count);
  bool repeated = false;
  if (count <= small_object) {
    for (std::uint32_t m = 0; m < count; ++m) {
      first[m] = m;
      for (std::uint32_t e = 0; e < m; ++e)
        if (first[e] == e && same_key(key(e), key(m))) {
          first[m] = e;
          repeated = true;
          break;
        }
    }
  } else {
    std::size_t slots = 32;
    while (slots < 2 * std::size_t{count}) slots *= 2;
    table.assign(slots, ~std::uint32_t{0});
    for (std::uint32_t m = 0; m < count; ++m) {
      auto const name = key(m);
      std::size_t s = hash_bytes(name, seed) & (slots - 1);
      while (table[s] != ~std::uint32_t{0} && !same_key(key(table[s]), name)) s = (s + 1) & (slots - 1);
      if (table[s] == ~std::uint32_t{0}) table[s] = m;
      first[m] = table[s];
      repeated |= first[m] != m;
    }
  }
  if (!repeated) return;
  // Rare: the object rewritten, each key at its first place with its last value.
  last.assign(count, 0);
  for (std::uint32_t m = 0; m < count; ++m) last[first[m]] = m;
  scratch.assign(nodes.begin() + at, nodes.begin() + at + 1);
  std::uint32_t kept = 0;
  for (std::uint32_t m = 0; m < count; ++m) {
    if (first[m] != m) continue;
    scratch.push_back(nodes[keys[m]]);
    auto const v = keys[last[m]] + 1;
    scratch.insert(scratch.end(), nodes.begin() + v, nodes.begin() + v + value(&d, v).subtree());
    ++kept;
  }
  scratch[0].count = kept;
  scratch[0].at.size = static_cast<std::uint32_t>(scratch.size());
  nodes.resize(at);
  nodes.insert(nodes.end(), scratch.begin(), scratch.end());
}

void document::parse(std::string_view text, boost::system::error_code& ec, bj::parse_options const& options,
                     std::uint64_t seed, std::size_t* consumed) {
  text_ = text;
  nodes_.clear();
  own_.clear();
  bj::basic_parser<builder> p(options, *this, seed);
  std::size_t const n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = bj::error::extra_data;
  if (consumed) *consumed = n;
  if (ec) nodes_.clear();
}

std::int64_t value::int64() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::int64 ? n.i : n.k == kind::uint64 ? static_cast<std::int64_t>(n.u) : 0;
}
std::uint64_t value::uint64() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::uint64 ? n.u : n.k == kind::int64 ? static_cast<std::uint64_t>(n.i) : 0;
}
double value::number() const {
  auto const& n = d_->nodes()[i_];
  switch (n.k) {
    case kind::int64: return static_cast<double>(n.i);
    case kind::uint64: return static_cast<double>(n.u);
    case kind::double_: return n.d;
    default: return 0;
  }
}
bool value::boolean() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::boolean && n.b;
}

value value::find(std::string_view key) const {
  if (!is_object()) return {};
  // Duplicates were removed at the parse: the first match is the only one.
  auto const& nodes = d_->nodes();
  std::uint32_t k = i_ + 1;
  for (std::uint32_t m = 0, count = nodes[i_].count; m < count; ++m) {
    if (same_key(d_->string_of(nodes[k]), key)) return {d_, k + 1};
    k += 1 + value(d_, k + 1).subtree();
  }
  return {};
}

}  // namespace ajs::json::doc
