// @ts-check
// The delivery log of one invocation (a consumer batch, or one request's inline delivery).
// A line per call that did not simply go out (retry, permanent, busy, duplicate), and per call
// that did too when DELIVERY_LOG = "calls"; at most CALL_LINES_MAX of them, then one summary line
// with every outcome counted per destination and how many lines were left out.
// Why not a line for every delivered call by default: Workers Logs keeps 256 KB of log lines per
// invocation, so a 2,500-event batch (5,000 calls, ~700 KB of lines) would have its failures cut
// off; and under `wrangler dev` (4.86) each line costs the dev proxy a socket it never closes, so
// a few thousand lines exhaust its file descriptors and it stops answering.

export const CALL_LINES_MAX = 300; // at most ~150 KB of lines (~45 KB typically), under the 256 KB an invocation keeps

// Outcomes that are routine: a call delivered, or one an earlier attempt of this message delivered.
const QUIET = new Set(["ok", "skipped"]);

export class CallLog {
  /**
   * @param {(entry: object) => void} log
   * @param {{mode: string, verbose?: boolean, max?: number}} options mode: "queue" | "inline";
   *   verbose: a line per delivered call too (DELIVERY_LOG = "calls").
   */
  constructor(log, { mode, verbose = false, max = CALL_LINES_MAX }) {
    this.out = log;
    this.mode = mode;
    this.verbose = verbose;
    this.max = max;
    this.lines = 0;
    this.leftOut = 0;
    /** @type {Record<string, Record<string, number>>} */
    this.calls = {};
    this.log = this.log.bind(this);
  }

  // Every log line of the invocation goes through here; only `at: "delivery"` lines are counted.
  log(entry) {
    if (entry?.at !== "delivery") return this.out(entry);
    const d = (this.calls[entry.destination] ??= {});
    d[entry.outcome] = (d[entry.outcome] ?? 0) + 1;
    if (!this.verbose && QUIET.has(entry.outcome)) return;
    if (this.lines >= this.max) return void this.leftOut++;
    this.lines++;
    this.out(entry);
  }

  // The invocation's summary line, once it is done; nothing when it made no call.
  summary(extra = {}) {
    if (Object.keys(this.calls).length === 0) return;
    this.out({ at: "delivery-summary", mode: this.mode, ...extra, calls: this.calls, ...(this.leftOut > 0 ? { linesLeftOut: this.leftOut } : {}) });
  }
}
