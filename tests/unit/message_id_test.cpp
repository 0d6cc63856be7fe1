#include <doctest/doctest.h>

#include <set>
#include <string>

#include "ingest/message_id.hpp"

// The id a message without one gets is a pure function of the host's seed, the message's index
// in the request and receivedAt: the same request handled twice (a retry the host replays) gets
// the same ids, so the dedup ledger sees the same calls. Pinned here, so that a change to the
// mixing is a visible decision, not an accident.
TEST_CASE("message ids: a pure function of (receivedAt, seed, index), in UUID v4 form") {
  CHECK(ajs::generated_message_id(1785578400500, 0xff, 0) ==
        "ajs-edge-1785578400500-338c5071-4628-4fb4-a79b-98a53ee910c3");
  CHECK(ajs::generated_message_id(1785578400500, 0xff, 1) ==
        "ajs-edge-1785578400500-b9a2c0c6-af58-4aae-8079-492de91fb2ca");
  CHECK(ajs::generated_message_id(1785578400500, 0x0123456789abcdefull, 7) ==
        "ajs-edge-1785578400500-2fb8e9ed-439d-4e8c-afaa-e075699149fe");
  CHECK(ajs::generated_message_id(0, 0, 0) == "ajs-edge-0-e220a839-7b1d-4daf-a706-dd2f4d197e6f");
}

TEST_CASE("message ids: 10,000 indexes under one seed give 10,000 ids, each with version 4 and the RFC variant") {
  std::set<std::string> seen;
  for (std::uint32_t i = 0; i < 10000; ++i) {
    auto const id = ajs::generated_message_id(1785578400500, 0xff, i);
    REQUIRE(id.size() == std::string("ajs-edge-1785578400500-").size() + 36);
    auto const uuid = id.substr(id.size() - 36);
    CHECK(uuid[14] == '4');
    CHECK(std::string("89ab").find(uuid[19]) != std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 10000);
}
