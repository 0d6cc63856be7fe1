// @ts-check
// The last requests each source had accepted, newest first (GET /admin/live, every 2 s), like
// Segment's Source Debugger. Opening the page arms the recording (POST /admin/live, 10 minutes)
// and it is armed again while the page stays open; "Stop" disarms it (DELETE /admin/live), which
// also forgets what was recorded. A closed page leaves it to run out.
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { byId, clock, el } from "./_elements.mjs";

const POLL_MS = 2000;
const ARM_MINUTES = 10;
const REARM_BEFORE_MS = 5 * 60_000; // armed again once less than this is left
const KEPT_PER_SOURCE = 50; // as the Worker keeps (live.mjs LIVE_PER_SOURCE)
const JSON_CLIPPED_AT = 2048; // live.mjs LIVE_EVENT_JSON_CHARS

export class LiveView {
  // api: AdminApi; names: SourceNames; fail(error): what the page does with an AdminError.
  constructor(api, names, { fail }) {
    this.api = api;
    this.names = names;
    this.fail = fail;
    this.after = 0;
    this.until = null;
    this.recording = false;
    this.timer = 0;
    this.sources = new Map(); // id → {section, list}
    this.box = byId("live-sources");
    this.status = byId("live-status");
    this.toggle = byId("live-toggle");
    this.toggle.addEventListener("click", () => (this.recording ? this.stop() : this.start()));
    names.onChange(() => this.#relabel());
  }

  async start() {
    this.recording = true;
    this.toggle.textContent = "Stop recording";
    await this.#arm();
    this.#tick();
  }

  async stop() {
    this.recording = false;
    clearTimeout(this.timer);
    this.toggle.textContent = "Start recording";
    try {
      await this.api.call("DELETE", "/admin/live");
      this.until = null;
      this.#say("Stopped: nothing is recorded, and what was recorded is forgotten.");
    } catch (e) {
      this.fail(e);
    }
  }

  // When the page leaves (sign-out): polling stops; the arming runs out by itself.
  pause() {
    this.recording = false;
    clearTimeout(this.timer);
  }

  async #arm() {
    try {
      const r = await this.api.call("POST", "/admin/live", { minutes: ARM_MINUTES });
      this.until = r.until;
      this.#sayRecording();
    } catch (e) {
      if (e.code === "no_store") {
        this.#say(`${e.message.replace(/^POST \S+: /, "")}.`, "error");
        this.pause();
        this.toggle.hidden = true;
        return;
      }
      this.fail(e);
    }
  }

  async #tick() {
    if (!this.recording) return;
    let more = false; // a read stopped short (about 1 MB): the rest at once
    try {
      if (!document.hidden) {
        if (this.until === null || this.until - Date.now() < REARM_BEFORE_MS) await this.#arm();
        if (!this.recording) return;
        const r = await this.api.get(`/admin/live?after=${this.after}`);
        if (r.armed) this.until = r.until;
        for (const [id, entries] of Object.entries(r.sources)) this.#add(id, entries);
        this.#sayRecording();
        more = r.more === true;
      }
    } catch (e) {
      this.fail(e);
      if (e.status === 401) return;
    }
    if (this.recording) this.timer = window.setTimeout(() => this.#tick(), more ? 0 : POLL_MS);
  }

  // entries: oldest first; shown newest first, at most KEPT_PER_SOURCE.
  #add(id, entries) {
    let source = this.sources.get(id);
    if (!source) {
      const list = el("ol", { class: "live-requests", reversed: true });
      const section = el("section", { class: "live-source", "data-source": id, "aria-label": `Source ${id}` }, el("h3", {}), list);
      source = { section, list };
      this.sources.set(id, source);
      this.#label(id, source);
    }
    for (const entry of entries) {
      this.after = Math.max(this.after, entry.seq);
      source.list.prepend(requestItem(entry));
    }
    while (source.list.children.length > KEPT_PER_SOURCE) source.list.lastElementChild?.remove();
    this.box.querySelector(".none")?.remove();
    if (this.box.firstElementChild !== source.section) this.box.prepend(source.section); // the latest source first
  }

  #label(id, { section }) {
    const name = this.names.nameOf(id);
    const heading = /** @type {HTMLElement} */ (section.querySelector("h3"));
    heading.replaceChildren(name ? el("span", {}, `${name} `) : "Source ", el("code", { class: "source-id" }, id));
    section.setAttribute("aria-label", name ? `Source ${name} (${id})` : `Source ${id}`);
  }

  #relabel() {
    for (const [id, source] of this.sources) this.#label(id, source);
  }

  #sayRecording() {
    if (this.until && this.until > Date.now()) this.#say(`Recording the requests each source accepts, until ${clock(this.until)} (armed again while this page is open).`, "ok");
    else this.#say("Not recording.");
  }

  #say(text, kind = "") {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
  }
}

const who = (e) => [e.userId !== null ? `user ${e.userId}` : null, e.anonymousId !== null ? `anonymous ${e.anonymousId}` : null].filter(Boolean).join(" · ") || "no user";

function requestItem(entry) {
  const at = Date.parse(entry.at);
  const c = entry.counters ?? {};
  return el("li", { class: "live-request", "data-seq": entry.seq },
    el("div", { class: "live-head" },
      el("time", { datetime: entry.at, title: entry.at }, clock(at, true)),
      el("code", { class: "path" }, entry.path),
      el("span", { class: "status-code" }, String(entry.status)),
      el("span", { class: "quiet" }, `${c.accepted ?? 0} accepted${c.rejected ? `, ${c.rejected} refused` : ""}`)),
    el("ul", { class: "live-events" }, entry.events.map((e) => el("li", { class: "live-event", "data-message-id": e.messageId ?? "" },
      el("div", { class: "event-line" },
        el("span", { class: `type ${e.type ?? "unknown"}` }, e.type ?? "?"),
        e.event !== null ? el("strong", {}, e.event) : e.name !== null ? el("strong", {}, e.name) : null,
        el("span", { class: "who" }, who(e)),
        e.messageId !== null ? el("code", { class: "message-id" }, e.messageId) : null),
      e.error ? el("p", { class: "status error" }, e.error) : null,
      el("details", {},
        el("summary", {}, e.json.length >= JSON_CLIPPED_AT ? "JSON (clipped at 2 KB)" : "JSON"),
        el("pre", { class: "body" }, prettyJson(e.json)))))),
    entry.more ? el("p", { class: "quiet" }, `${entry.more} more event${entry.more === 1 ? "" : "s"} in this request, not shown.`) : null);
}
