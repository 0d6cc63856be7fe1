// What delivering events costs at Cloudflare's list prices (issue #12: a design target of $1.50 per
// million beacon events), from the operations a run counted. tests/delivery/delivery_cost.test.mjs
// counts them through the real producer and consumer; README "Delivery" shows the result.
import { QUEUE_OPERATIONS_PER_MESSAGE } from "../host-shims/delivery/platform_limits.mjs";

// US dollars, Workers Paid list prices (Cloudflare's pricing pages): Workers $0.30 per million
// requests and $0.02 per million CPU-ms; Queues $0.40 per million operations (3 per message of up
// to 64 KB: write, read, delete); Durable Objects $0.15 per million requests and, for SQLite
// storage, $1.00 per million rows written (duration, rows read and stored bytes not counted: cents).
export const PRICES = {
  workerRequest: 0.3e-6,
  workerCpuMs: 0.02e-6,
  queueOperation: 0.4e-6,
  durableObjectRequest: 0.15e-6,
  durableObjectRowWritten: 1.0e-6,
};
export const TARGET_PER_MILLION = 1.5;

// Queue operations of one message of `bytes`: 3 per started 64 KB.
export const queueOperations = (bytes) => QUEUE_OPERATIONS_PER_MESSAGE * Math.max(1, Math.ceil(bytes / 65_536));

// counts: {events, workerRequests, queueOperations, durableObjectRequests, rowsWritten, cpuMs}. Returns dollars
// per million events, in all and per part.
export function costPerMillion(counts) {
  const per = (n, price) => ((n ?? 0) * price * 1e6) / counts.events;
  const parts = {
    workers: per(counts.workerRequests, PRICES.workerRequest) + per(counts.cpuMs, PRICES.workerCpuMs),
    queues: per(counts.queueOperations, PRICES.queueOperation),
    durableObjects: per(counts.durableObjectRequests, PRICES.durableObjectRequest) + per(counts.rowsWritten, PRICES.durableObjectRowWritten),
  };
  return { total: parts.workers + parts.queues + parts.durableObjects, ...parts };
}
