#pragma once
// A request's JSON as one flat, read-only array of nodes: the compact document issue #13 asks for.
//
// Boost.JSON's value tree costs two thirds of a parse (a 500 KB batch: its scan alone 211 µs,
// with the tree 610 µs): every string copied into its own allocation, every object a table of
// members with a duplicate-key check through it, every value moved from Boost's stack into its
// container. Here a document is one vector of 16-byte nodes in document order: a string is a
// span of the request's text (copied only when it had escapes), a container is its node followed
// by its members' nodes, with the length of its subtree to step over it. Parsing is still
// Boost's (basic_parser: its validation, UTF-8 checks, limits and errors), and numbers are read
// as json::parse reads them (JavaScript's JSON.parse: parse_json.hpp).
//
// Duplicate keys keep JSON.parse's (and Boost's) meaning: the last value, at the first key's
// place; an object that had one is rewritten so at its end (a rare, hostile case).
#include <boost/json/parse_options.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ajs::json::doc {

enum class kind : std::uint8_t { null, boolean, int64, uint64, double_, string, array, object };

struct node {
  kind k = kind::null;
  bool in_text = false;     // a string (or key) whose bytes are in the request's text
  std::uint32_t count = 0;  // a string's length; a container's members or elements
  union {
    std::int64_t i;
    std::uint64_t u;
    double d;
    bool b;
    struct {
      std::uint32_t offset;  // a string's first byte: in the text, or in the document's own
      std::uint32_t size;    // a container's subtree in nodes, itself included
    } at;
  };
  node() : i(0) {}
};
static_assert(sizeof(node) == 16);

class document;

// A view of one node of a document (keys are string nodes).
class value {
 public:
  value() = default;
  value(document const* d, std::uint32_t index) : d_(d), i_(index) {}

  explicit operator bool() const { return d_ != nullptr; }
  kind type() const;
  bool is_string() const { return d_ && type() == kind::string; }
  bool is_object() const { return d_ && type() == kind::object; }
  bool is_array() const { return d_ && type() == kind::array; }
  std::string_view string() const;  // "" unless a string
  std::int64_t int64() const;
  std::uint64_t uint64() const;
  double number() const;  // any number as a double
  bool boolean() const;
  std::uint32_t size() const;  // members or elements
  std::uint32_t index() const { return i_; }
  std::uint32_t subtree() const;  // nodes of this value, itself included

  // An object's member of that name (its last occurrence's value: the one JSON.parse keeps), or
  // an empty value.
  value find(std::string_view key) const;

  // Walking a container: first() is its first member's key (object) or element (array);
  // next_sibling() steps over a whole value.
  value first() const { return {d_, i_ + 1}; }
  value next_sibling() const { return {d_, i_ + subtree()}; }

 private:
  document const* d_ = nullptr;
  std::uint32_t i_ = 0;
};

class document {
 public:
  // Parses `text` (which must outlive the document) with Boost's parser and options; on an
  // error, `ec` says which and the document is empty. `seed`: of the hashes that find repeated
  // keys in big objects (the request's, so that no client can choose keys that collide).
  // `consumed` as json::parse's.
  void parse(std::string_view text, boost::system::error_code& ec, boost::json::parse_options const& options = {},
             std::uint64_t seed = 0, std::size_t* consumed = nullptr);

  value root() const { return nodes_.empty() ? value() : value(this, 0); }
  std::vector<node> const& nodes() const { return nodes_; }
  std::string_view string_of(node const& n) const {
    return {(n.in_text ? text_.data() : own_.data()) + n.at.offset, n.count};
  }

 private:
  friend struct builder;
  std::string_view text_;
  std::vector<node> nodes_;
  std::string own_;  // strings that had escapes, unescaped
};

inline kind value::type() const { return d_->nodes()[i_].k; }
inline std::uint32_t value::subtree() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::array || n.k == kind::object ? n.at.size : 1;
}
inline std::uint32_t value::size() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::array || n.k == kind::object ? n.count : 0;
}
inline std::string_view value::string() const {
  auto const& n = d_->nodes()[i_];
  return n.k == kind::string ? d_->string_of(n) : std::string_view();
}

}  // namespace ajs::json::doc
