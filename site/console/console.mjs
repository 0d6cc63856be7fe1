// @ts-check
// The operator console ({prefix}/console/ on the Worker's own origin): its delivery at a glance,
// from the admin endpoints under its prefix (host-shims/admin/admin.mjs). It asks for the
// admin token (kept in this tab's sessionStorage only), then shows the delivery mode and totals
// (GET /admin/stats), each destination's counters over time (GET /admin/stats/series, 60 minutes
// or 24 hours, read every 10 s), the dead letters with Replay and Discard, and the live view of the
// requests each source accepts (GET /admin/live every 2 s, armed while the page is open).
import { AdminApi, NO_ADMIN, REFUSED_TOKEN } from "./_admin_api.mjs";
import { byId, clock, el } from "./_elements.mjs";
import { seriesChart } from "./_series_chart.mjs";
import { DeadLetters } from "./_dead_letters.mjs";
import { LiveView } from "./_live_view.mjs";
import { SourceNames } from "./_source_names.mjs";

const TOKEN_KEY = "ajs-edge.console.adminToken";
const REFRESH_MS = 10_000;
const WINDOWS = {
  hour: { minutes: 60, bins: 1, label: "last 60 minutes" },
  day: { minutes: 1440, bins: 10, label: "last 24 hours" },
};
// The counters of /admin/stats, in the README's order ("Dead letters, counters, logs").
const COUNTERS = ["sent", "retried", "failed", "deadLettered", "deduplicated", "busy", "deferred", "dropped"];

/** @type {null | {api: AdminApi, timer: number, window: keyof WINDOWS, dead: DeadLetters, live: LiveView}} */
let session = null;

function say(id, text, kind = "") {
  const node = byId(id);
  node.textContent = text;
  node.className = `status ${kind}`;
  node.hidden = text === "";
}

function showSignIn(message = "") {
  byId("console").hidden = true;
  byId("sign-out").hidden = true;
  byId("sign-in").hidden = false;
  say("sign-in-error", message, "error");
  const input = /** @type {HTMLInputElement} */ (byId("token"));
  input.value = "";
  input.focus();
}

function signOut(message = "") {
  if (session) {
    clearTimeout(session.timer);
    session.live.pause();
    session = null;
  }
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(message);
}

// What the page does with a failed admin call: a refused token signs out, saying so; anything else
// is said at the top and the page carries on.
function fail(e) {
  if (e?.status === 401) return signOut(REFUSED_TOKEN);
  say("page-status", e?.message ?? String(e), "error");
}

async function signIn(token) {
  const api = new AdminApi(token);
  let stats;
  try {
    stats = await api.get("/admin/stats");
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    return showSignIn(e.status === 404 ? NO_ADMIN : e.message);
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  byId("sign-in").hidden = true;
  byId("console").hidden = false;
  byId("sign-out").hidden = false;
  say("sign-in-error", "");
  say("page-status", "");
  const names = new SourceNames();
  const dead = new DeadLetters(api, { fail, changed: () => refreshStats(api).catch(fail) });
  const live = new LiveView(api, names, { fail });
  session = { api, timer: 0, window: session?.window ?? "hour", dead, live };
  showStats(stats);
  names.load(api).then((problem) => say("live-names-status", problem ?? "", "quiet"));
  live.start();
  refresh(session);
}

// Totals, series and dead letters, every REFRESH_MS while signed in (not while the tab is hidden).
async function refresh(current) {
  if (session !== current) return;
  if (!document.hidden) {
    await Promise.all([refreshStats(current.api), refreshSeries(current), current.dead.refresh()].map((p) => p.catch(fail)));
    if (session === current) byId("updated").textContent = `Updated ${clock(Date.now(), true)}`;
  }
  if (session === current) current.timer = window.setTimeout(() => refresh(current), REFRESH_MS);
}

async function refreshStats(api) {
  showStats(await api.get("/admin/stats"));
}

function showStats(stats) {
  const fields = [
    ["Delivery", stats.mode === "queue" ? (stats.durable ? "queue (durable: a 200 means the calls are queued)" : "queue, not bound") : `${stats.mode} (not durable: calls that fail 3 times are lost)`],
    ["Dedup ledger", stats.dedup ? "on (DELIVERY_LEDGER)" : "off"],
    ["Counters", stats.scope === "durable" ? "kept by the Worker (DELIVERY_OPS)" : "this isolate's only (no DELIVERY_OPS)"],
    ["Dead letters", stats.deadLetters === null ? "not kept (no DELIVERY_OPS): only logged" : String(stats.deadLetters)],
  ];
  byId("overview").replaceChildren(...fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const destinations = Object.keys(stats.counters).sort();
  const names = COUNTERS.filter((c) => c !== "dropped" || destinations.some((d) => stats.counters[d].dropped));
  byId("totals-head").replaceChildren(el("tr", {}, el("th", { scope: "col" }, "Destination"), names.map((n) => el("th", { scope: "col", class: "num" }, n))));
  byId("totals-rows").replaceChildren(...(destinations.length
    ? destinations.map((d) => el("tr", {}, el("th", { scope: "row" }, d), names.map((n) => el("td", { class: "num" }, String(stats.counters[d][n] ?? 0)))))
    : [el("tr", {}, el("td", { colspan: names.length + 1, class: "quiet" }, "Nothing delivered yet."))]));
}

async function refreshSeries(current) {
  const w = WINDOWS[current.window];
  const series = await current.api.get(`/admin/stats/series?minutes=${w.minutes}`);
  if (session !== current || WINDOWS[current.window] !== w) return;
  const destinations = Object.keys(series.destinations).sort();
  byId("charts").replaceChildren(...(destinations.length
    ? destinations.map((d) => seriesChart(d, series.destinations[d], { start: series.start, stepMs: series.stepMs, bins: w.bins, label: w.label }))
    : [el("p", { class: "quiet" }, "No counters yet: they appear once the queue consumer has delivered something.")]));
}

function chooseWindow(key) {
  for (const k of Object.keys(WINDOWS)) byId(`window-${k}`).setAttribute("aria-pressed", String(k === key));
  if (!session) return;
  session.window = /** @type {keyof WINDOWS} */ (key);
  refreshSeries(session).catch(fail);
}

byId("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = /** @type {HTMLInputElement} */ (byId("token")).value.trim();
  if (token === "") return say("sign-in-error", "Enter the Worker's admin token (its ADMIN_TOKEN secret).", "error");
  signIn(token);
});
byId("sign-out").addEventListener("click", () => signOut());
for (const key of Object.keys(WINDOWS)) byId(`window-${key}`).addEventListener("click", () => chooseWindow(key));
byId("refresh").addEventListener("click", () => {
  if (!session) return;
  clearTimeout(session.timer);
  refresh(session);
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && session) {
    clearTimeout(session.timer);
    refresh(session);
  }
});

const remembered = sessionStorage.getItem(TOKEN_KEY);
if (remembered) signIn(remembered);
else showSignIn();
