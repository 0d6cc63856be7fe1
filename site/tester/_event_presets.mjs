// @ts-check
// The events the tester starts from: messages as analytics.js (one call) or analytics-node (a batch)
// would send them, less the messageId the Worker makes when a message has none. `now` is the
// moment the preset was picked: its timestamps and sentAt.
export const PRESET_NAMES = ["identify", "track", "page", "group", "alias", "batch"];

const BROWSER_CONTEXT = {
  library: { name: "analytics.js", version: "next-1.84.3" },
  page: { path: "/pricing", referrer: "", search: "", title: "Pricing", url: "https://www.example.com/pricing" },
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
  locale: "en-US",
};
const ANONYMOUS_ID = "6c2f4e1a-8b1d-4f0e-9a57-3e2b7d9c1f00";

export function presetEvent(name, now = new Date()) {
  const at = now.toISOString();
  const browser = (fields) => ({ ...fields, anonymousId: ANONYMOUS_ID, context: BROWSER_CONTEXT, timestamp: at, sentAt: at });
  switch (name) {
    case "identify":
      return browser({
        type: "identify",
        userId: "u_ada",
        traits: { email: "ada@example.com", name: "Ada Lovelace", plan: "pro", createdAt: "2024-03-01T09:30:00.000Z" },
      });
    case "track":
      return browser({ type: "track", event: "Report Exported", userId: "u_ada", properties: { format: "csv", rows: 1200 } });
    case "page":
      return browser({ type: "page", userId: "u_ada", category: "Docs", name: "Pricing", properties: { name: "Pricing", category: "Docs", path: "/pricing", url: "https://www.example.com/pricing" } });
    case "group":
      return browser({ type: "group", userId: "u_ada", groupId: "acme", traits: { name: "Acme Inc", employees: 120, plan: "enterprise" } });
    case "alias":
      return browser({ type: "alias", userId: "u_ada", previousId: ANONYMOUS_ID });
    case "batch": {
      const server = { library: { name: "@segment/analytics-node", version: "3.1.0" } };
      return {
        batch: [
          { type: "identify", userId: "u_grace", traits: { email: "grace@example.com", name: "Grace Hopper" }, context: server, timestamp: at },
          { type: "track", event: "Invoice Paid", userId: "u_grace", properties: { amount: 49, currency: "USD" }, context: server, timestamp: at },
          { type: "track", event: "Invoice Paid", anonymousId: "visitor-7", properties: { amount: 19, currency: "USD" }, context: server, timestamp: at },
        ],
        sentAt: at,
      };
    }
    default:
      throw new Error(`no preset ${name}`);
  }
}
