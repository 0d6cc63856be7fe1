#!/usr/bin/env node
// Delivery throughput (issue #12): calls per second the consumer drains, in workerd (Miniflare's
// local queue and Durable Objects, the real ledger), to the strict Gist, Gainsight and PX fakes on
// loopback. Each setting: a fresh Worker, `batches` POSTs of 100 identify+track events (distinct
// users, so one chain per user and destination), timed from the first POST to the last call's
// arrival; the median of `rounds` runs.
//   node bench/delivery_throughput.mjs [--batches 10] [--rounds 3]
// Settings that move it: DELIVERY_SUBREQUESTS (the Free plan's 50, or Paid's 10,000), the consumer's
// max_batch_size, DELIVERY_CONCURRENCY (fetches at once in one invocation). Miniflare runs one
// consumer invocation at a time (max_concurrency has no local effect).
import { BUILDS } from "../tests/support/harness.mjs";
import { startDelivery, destinations } from "../tests/support/delivery_fixture.mjs";
import { waitFor } from "../tests/support/capture_server.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BATCHES = arg("batches", 10);
const ROUNDS = arg("rounds", 3);
const SETTINGS = [
  { name: "Free: 50 subrequests, batches of 8, 6 fetches at once", subrequests: 50, maxBatchSize: 8, concurrency: 6 },
  { name: "Paid: 10,000 subrequests, batches of 100, 6 fetches at once", subrequests: 10_000, maxBatchSize: 100, concurrency: 6 },
  { name: "Paid: 10,000 subrequests, batches of 100, 1 fetch at once", subrequests: 10_000, maxBatchSize: 100, concurrency: 1 },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(setting) {
  const ctx = await startDelivery(BUILDS[0], {
    bindings: { DELIVERY_SUBREQUESTS: String(setting.subrequests), DELIVERY_CONCURRENCY: String(setting.concurrency) },
    consumer: { maxBatchSize: setting.maxBatchSize, maxBatchTimeout: 0.05 },
    sources: (p) => [{ writeKey: "wk", destinations: destinations(p) }],
  });
  try {
    const calls = BATCHES * 100 * 2 * 3; // identify + track per user, three destinations
    const start = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const batch = [];
      for (let u = 0; u < 100; u++) {
        const id = `b${b}-u${u}`;
        batch.push({ type: "identify", userId: id, messageId: `${id}-i`, traits: { email: `${id}@example.com` } });
        batch.push({ type: "track", userId: id, messageId: `${id}-t`, event: "Bench" });
      }
      const r = await ctx.post("/v1/batch", { writeKey: "wk", batch });
      if (r.status !== 200) throw new Error(`batch ${b}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const delivered = () => Object.values(ctx.delivered()).reduce((n, list) => n + list.length, 0);
    await waitFor(() => delivered() >= calls, { timeoutMs: 600_000, intervalMs: 50, what: `${calls} calls` });
    const seconds = (performance.now() - start) / 1000;
    return { calls, seconds, perSecond: calls / seconds };
  } finally {
    await ctx.dispose();
  }
}

const rows = [];
for (const setting of SETTINGS) {
  const runs = [];
  for (let r = 0; r < ROUNDS; r++) runs.push(await once(setting));
  const m = median(runs.map((x) => x.perSecond));
  rows.push(`| ${setting.name} | ${runs[0].calls} | ${median(runs.map((x) => x.seconds)).toFixed(1)} | ${Math.round(m)} |`);
  console.error(`${setting.name}: ${runs.map((x) => Math.round(x.perSecond)).join(", ")} calls/s`);
}
console.log(["| setting | calls | seconds (median) | calls/s (median) |", "|---|---:|---:|---:|", ...rows].join("\n"));
