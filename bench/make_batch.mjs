// A realistic analytics.js batch: ~500 messages, ~500 KB, the mix a product site sends
// (page views, tracks with properties, identifies with traits, some groups), each with the
// context analytics-next 1.84 adds. Deterministic, so every run measures the same input.
export function makeBatch({ events = 500, writeKey = "wk_bench" } = {}) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const context = (i) => ({
    page: { path: "/pricing", referrer: "https://www.google.com/", search: "?utm_source=newsletter", title: "Pricing — Example", url: "https://www.example.com/pricing?utm_source=newsletter" },
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    locale: "en-US",
    library: { name: "analytics.js", version: "next-1.84.1" },
    timezone: "Europe/Amsterdam",
    ip: `203.0.113.${i % 250}`,
  });
  const batch = [];
  for (let i = 0; i < events; i++) {
    const user = `user_${i % 97}`;
    const base = {
      userId: user,
      anonymousId: `6f0c2a7e-${String(i % 97).padStart(4, "0")}-4b1d-9c3e-8a2f5d7e9b10`,
      timestamp: new Date(Date.UTC(2026, 7, 1, 10, 0, 0) + i * 1000).toISOString(),
      messageId: `ajs-next-1785578400000-${String(i).padStart(8, "0")}-4c1d-9f3e-8a2f5d7e9b10`,
      integrations: {},
      context: context(i),
      writeKey,
      _metadata: { bundled: ["Segment.io"], unbundled: [], bundledIds: [] },
    };
    const kind = i % 10;
    if (kind < 4) {
      batch.push({ ...base, type: "track", event: pick(["Order Completed", "Product Viewed", "Signed Up", "Feature Used"]),
        properties: { order_id: `o_${i}`, revenue: Math.round(rand() * 10000) / 100, currency: "EUR", accountId: `acct_${i % 13}`,
          products: [{ sku: `sku_${i}`, name: "Pro plan", price: 49, quantity: 1 }],
          coupon: null, plan: pick(["free", "pro", "team"]), trial: rand() > 0.5 } });
    } else if (kind < 7) {
      batch.push({ ...base, type: "page", name: pick(["Pricing", "Home", "Docs"]), category: "Marketing",
        properties: { path: "/pricing", referrer: "https://www.google.com/", search: "", title: "Pricing", url: "https://www.example.com/pricing" } });
    } else if (kind < 9) {
      batch.push({ ...base, type: "identify", traits: { email: `${user}@example.com`, firstName: "Ada", lastName: `Lovelace ${i}`, phone: "+31 20 123 4567",
        createdAt: "2025-03-01T12:00:00.000Z", plan: "pro", seats: 5, accountId: `acct_${i % 13}`, company: { name: "Example BV", id: `acct_${i % 13}`, industry: "Software", employee_count: 120 },
        address: { city: "Amsterdam", country: "NL", postalCode: "1011" }, newsletter: true, order_completed_last_30days: rand() > 0.5, tags: ["beta", "vip"] } });
    } else {
      batch.push({ ...base, type: "group", groupId: `acct_${i % 13}`, traits: { name: "Example BV", industry: "Software", employees: 120, plan: "enterprise", website: "https://example.com" } });
    }
  }
  return { writeKey, batch, sentAt: new Date(Date.UTC(2026, 7, 1, 10, 10, 0)).toISOString(), context: {}, integrations: {} };
}

// Many small events, as a server library flushes them: 2,500 items of 50 users (an identify each,
// then tracks with one property), ~300 KB. Per-event costs dominate here.
export function makeSmallBatch({ users = 50, events = 2500, writeKey = "wk_bench" } = {}) {
  const batch = [];
  for (let u = 0; u < users; u++) batch.push({ type: "identify", userId: `small-${u}`, messageId: `small-${u}-0`, traits: { email: `small-${u}@example.com` } });
  for (let i = users; i < events; i++) batch.push({ type: "track", userId: `small-${i % users}`, messageId: `small-${i % users}-${i}`, event: "Big Batch", properties: { i } });
  return { writeKey, batch };
}

export const SINGLE = {
  writeKey: "wk_bench", type: "track", event: "Order Completed", userId: "user_1", messageId: "m1",
  timestamp: "2026-08-01T10:00:00.000Z", sentAt: "2026-08-01T10:00:00.100Z",
  properties: { revenue: 49.5, currency: "EUR", accountId: "acct_1" },
  context: { library: { name: "analytics.js", version: "next-1.84.1" } },
};

// The three workloads of every benchmark (issue #13), each a request body and its path; `repeat`
// scales the iteration count (a single beacon is timed 20× as often as a batch).
export const WORKLOADS = [
  { name: "single", path: "/v1/t", body: () => JSON.stringify(SINGLE), repeat: 20 },
  { name: "batch", path: "/v1/batch", body: () => JSON.stringify(makeBatch()), repeat: 1 },
  { name: "small", path: "/v1/batch", body: () => JSON.stringify(makeSmallBatch()), repeat: 1 },
];

export const BENCH_CONFIG = {
  allowInsecureEndpoints: true,
  sources: [
    {
      writeKey: "wk_bench",
      destinations: {
        gist: { apiKey: { secret: "GIST_API_KEY" }, endpoint: "http://127.0.0.1:9/gist" },
        gainsight: { accessKey: { secret: "GAINSIGHT_ACCESS_KEY" }, endpoint: "http://127.0.0.1:9/gainsight" },
        gainsightPx: { apiKey: { secret: "GAINSIGHT_PX_API_KEY" }, endpoint: "http://127.0.0.1:9/px" },
      },
    },
  ],
};

// node bench/make_batch.mjs OUT_DIR → writes <workload>.json and config.json for the native bench.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync, mkdirSync } = await import("node:fs");
  const out = process.argv[2] ?? "build/bench";
  mkdirSync(out, { recursive: true });
  for (const w of WORKLOADS) {
    const body = w.body();
    writeFileSync(`${out}/${w.name}.json`, body);
    console.log(`${out}/${w.name}.json: ${body.length} bytes`);
  }
  writeFileSync(`${out}/config.json`, JSON.stringify(BENCH_CONFIG));
}
