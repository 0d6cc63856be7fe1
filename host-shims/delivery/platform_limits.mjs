// @ts-check
// Cloudflare's limits this Worker is designed around, in one place (Cloudflare's docs: Workers
// limits, Queues limits and pricing). What depends on the account's plan is a binding
// (delivery_config.mjs: DELIVERY_SUBREQUESTS); the rest is fixed by the platform.

// Subrequests one invocation may make (fetch and Durable Object calls count): 50 on the Free
// plan, 10,000 on Paid. The consumer spends at most DELIVERY_SUBREQUESTS (default: Free).
export const SUBREQUESTS_FREE = 50;
export const SUBREQUESTS_PAID = 10_000;

// Wall time of one queue consumer invocation.
export const CONSUMER_WALL_MS = 15 * 60_000;

// Simultaneous outgoing connections per invocation; more wait in line.
export const OPEN_CONNECTIONS = 6;

// Queues: one message ≤ 128 KB; one sendBatch ≤ 100 messages and ≤ 256 KB in all. Each 64 KB of a
// message is billed as 3 operations (written, read, deleted); the Free plan includes 10,000 a day.
export const QUEUE_MESSAGE_MAX_BYTES = 128 * 1024;
export const QUEUE_BATCH_MAX_MESSAGES = 100;
export const QUEUE_BATCH_MAX_BYTES = 256 * 1024;
export const QUEUE_OPERATIONS_PER_MESSAGE = 3;
export const QUEUE_FREE_OPERATIONS_PER_DAY = 10_000;
// A delay (message.retry, send) is whole seconds up to 24 h.
export const QUEUE_DELAY_MAX_S = 86_400;
