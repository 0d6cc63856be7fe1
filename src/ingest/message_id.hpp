#pragma once
#include <cstdint>
#include <string>

namespace ajs {

// "ajs-edge-<receivedAt ms>-<uuid v4>" for a message that came without a messageId. The uuid
// comes from the host's per-request seed and the message's index: no clock or RNG in the core.
std::string generated_message_id(std::int64_t received_at_ms, std::uint64_t seed, std::uint32_t index);

}  // namespace ajs
