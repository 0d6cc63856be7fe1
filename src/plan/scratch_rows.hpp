#pragma once
// The working rows of the plan's writers, which a plan keeps (plan::queue_scratch,
// plan::ordinal_scratch) so that a plan reused request after request (wasm/exports.cpp) keeps
// their room (each writer leaves its rows empty, within plan_kept_table_bytes, when done): made
// anew for each request, they were 5 of a beacon's allocations and 3–4 % of its time in wasm
// (session 25).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/byte_span.hpp"
#include "plan/flat_index.hpp"
#include "plan/kept_room.hpp"

namespace ajs {

// The queue writer's (plan/queue_messages.cpp): what it renders goes into one scratch text, known
// by pieces of it; chains and calls are rows of flat tables, a chain's calls linked in plan order.
// Per-chain strings and vectors made a single beacon's three calls cost about 30 allocations, a
// quarter of its planning (session 10).
struct queue_rows {
  // A piece of `text`.
  struct piece {
    std::uint32_t offset = 0, length = 0;
  };
  static constexpr std::uint32_t none = ~std::uint32_t{0};

  // A header run (queue_messages.hpp H): its template's text, or for a run no template wrote, a
  // piece of `text`.
  struct header_run {
    std::string_view shared;
    piece own;
  };
  // One chain per destination and order key:
  //   {"v":1,"destination":…,"orderKey":…,"method":…,"headers":<run>,"url":…,"scope":…,"calls":[call,…]}
  struct chain {
    std::string_view destination, order_key, method, url, scope;  // views into the plan's bytes: read before they grow
    piece head;                                                   // up to "headers":
    std::uint32_t run = 0;                                        // its headers, and the default of its calls
    piece defaults;                                               // ,"url":…,"scope":…
    std::uint32_t first_call = none, last_call = none;
    std::size_t size = 0;  // its JSON's bytes and its calls' bodies'
  };
  // A call: {["method":…,]["headers":[…],]["url":…,]["scope":…,]"bodyLength":n,"messageId":…[,"ordinal":n][,"flags":n]}
  // (method, headers, url, scope: where not the chain's). Its body goes in the message's bodies section.
  struct call {
    piece json;
    byte_span body;
    std::uint32_t next = none;  // the chain's next call
  };
  // A chain known by where its destination and order key lie in the plan.
  struct chain_spans {
    byte_span destination, order_key;
    std::uint32_t chain = 0;
  };

  std::string text;
  std::vector<header_run> runs;
  flat_index<std::uint32_t> run_index;  // → runs
  std::vector<chain> chains;
  flat_index<std::uint32_t> chain_index;  // → chains, by destination and order key
  // The same, by where the two lie in the plan: the plan writer interns both (plan_writer.hpp), so
  // most calls find their chain by two spans, not by hashing and comparing the strings.
  flat_index<chain_spans> chain_by_spans;
  std::vector<call> calls;

  // Empty for the next request: the text's and the tables' room kept up to `keep_bytes` each
  // (kept_room.hpp); the indexes' tables freed (a beacon's few keys need none: flat_index.hpp).
  void reset(std::size_t keep_bytes) {
    clear_keeping_room(text, keep_bytes);
    clear_keeping_room(runs, keep_bytes);
    clear_keeping_room(chains, keep_bytes);
    clear_keeping_room(calls, keep_bytes);
    run_index.release();
    chain_index.release();
    chain_by_spans.release();
  }
};

// The plan writer's (plan_writer.hpp): the calls so far per (dedup scope, messageId), a message's
// scopes linked from its entry in the writer's table of messageIds.
struct ordinal_rows {
  struct scope_calls {
    std::uint32_t scope = 0;
    std::uint32_t calls = 0;
    std::uint32_t next = 0;  // → scopes, 0: the last
  };
  std::vector<scope_calls> scopes;  // [0] unused: the list end

  void reset(std::size_t keep_bytes) { clear_keeping_room(scopes, keep_bytes); }
};

}  // namespace ajs
