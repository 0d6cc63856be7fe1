// @ts-check
// The dead letters (GET /admin/dead-letters, oldest first): a row each with its destination,
// reason and age; its detail (the queue message that replays it, bodies pretty-printed) on demand;
// Replay and Discard per item and Replay all, each confirmed first. The list is read again after
// every change.
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { age, byId, clock, el } from "./_elements.mjs";

const PAGE = 100;

export class DeadLetters {
  // api: AdminApi; fail(error): what the page does with an AdminError (a 401 signs out);
  // changed(): after a replay or discard (the totals move).
  constructor(api, { fail, changed, confirm = (text) => window.confirm(text) }) {
    this.api = api;
    this.fail = fail;
    this.changed = changed;
    this.confirm = confirm;
    this.items = [];
    this.openId = null;
    this.rows = byId("dead-letter-rows");
    this.count = byId("dead-letter-count");
    this.status = byId("dead-letter-status");
    this.detail = byId("dead-letter-detail");
    this.replayAll = byId("replay-all");
    this.replayAll.addEventListener("click", () => this.#replayAll());
  }

  async refresh() {
    let page;
    try {
      page = await this.api.get(`/admin/dead-letters?limit=${PAGE}`);
    } catch (e) {
      if (e.code === "no_store") {
        this.#say(e.message.replace(/^GET \S+: /, ""), "error");
        this.count.textContent = "–";
        this.replayAll.hidden = true;
        return;
      }
      throw e;
    }
    this.items = page.items;
    this.count.textContent = String(page.total);
    this.replayAll.hidden = page.total === 0;
    const now = Date.now();
    this.rows.replaceChildren(...(page.items.length ? page.items.map((item) => this.#row(item, now)) : [el("tr", { class: "none" }, el("td", { colspan: 6 }, "No dead letters."))]));
    if (page.total > page.items.length) this.rows.append(el("tr", { class: "none" }, el("td", { colspan: 6 }, `The oldest ${page.items.length} of ${page.total} are listed.`)));
    if (this.openId && !page.items.some((i) => i.id === this.openId)) this.#closeDetail();
  }

  #row(item, now) {
    const at = Date.parse(item.at);
    const what = `the ${item.destination} dead letter of ${clock(at, true)}`;
    const ids = item.messageIds ?? [];
    return el("tr", { "data-id": item.id, class: item.id === this.openId ? "open" : null },
      el("td", {}, el("span", { class: `chip ${item.destination}` }, item.destination)),
      el("td", {}, el("span", { class: "reason" }, item.reason), item.status ? el("span", { class: "http" }, ` ${item.status}`) : null,
        item.error ? el("div", { class: "error-excerpt", title: item.error }, item.error) : null),
      el("td", {}, el("time", { datetime: item.at, title: item.at }, age(at, now))),
      el("td", { class: "ids" }, ids.slice(0, 2).map((id) => el("code", {}, id)), ids.length > 2 ? ` +${ids.length - 2}` : null),
      el("td", { class: "num" }, String(item.calls)),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "secondary", "aria-label": `Details of ${what}`, onclick: () => this.show(item.id) }, "Details"),
        el("button", { type: "button", "aria-label": `Replay ${what}`, onclick: () => this.#replay(item) }, "Replay"),
        el("button", { type: "button", class: "danger", "aria-label": `Discard ${what}`, onclick: () => this.#discard(item) }, "Discard")));
  }

  async show(id) {
    let entry;
    try {
      entry = await this.api.get(`/admin/dead-letters/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.status === 404) {
        this.#say("That dead letter is gone (replayed or discarded meanwhile).", "error");
        return this.refresh();
      }
      return this.fail(e);
    }
    this.openId = id;
    for (const tr of this.rows.querySelectorAll("tr")) tr.classList.toggle("open", tr.getAttribute("data-id") === id);
    this.detail.replaceChildren(...detailOf(entry, () => this.#closeDetail()));
    this.detail.hidden = false;
    /** @type {HTMLElement | null} */ (this.detail.querySelector("h3"))?.focus();
  }

  #closeDetail() {
    this.openId = null;
    this.detail.hidden = true;
    this.detail.replaceChildren();
    for (const tr of this.rows.querySelectorAll("tr.open")) tr.classList.remove("open");
  }

  async #replay(item) {
    if (!this.confirm(`Replay the ${item.destination} dead letter (${item.calls} call${item.calls === 1 ? "" : "s"}, ${item.reason})? Its calls are queued for delivery again.`)) return;
    await this.#act(() => this.api.call("POST", "/admin/dead-letters/replay", { ids: [item.id] }),
      (r) => (r.replayed ? `Replayed: queued again for ${item.destination}.` : "Not replayed: that dead letter was gone, or holds no replayable message."));
  }

  async #discard(item) {
    if (!this.confirm(`Discard the ${item.destination} dead letter (${item.reason})? Its calls will never be sent; this cannot be undone.`)) return;
    await this.#act(() => this.api.call("DELETE", `/admin/dead-letters/${encodeURIComponent(item.id)}`),
      () => `Discarded the ${item.destination} dead letter.`, (e) => (e.status === 404 ? "That dead letter was already gone." : null));
  }

  async #replayAll() {
    const total = this.count.textContent;
    if (!this.confirm(`Replay all ${total} dead letters? Their calls are queued for delivery again (at most 5,000 at a time).`)) return;
    await this.#act(() => this.api.call("POST", "/admin/dead-letters/replay", { all: true }),
      (r) => `Replayed ${r.replayed}${r.skipped ? `, ${r.skipped} left (not replayable)` : ""}; ${r.remaining} remain.`);
  }

  async #act(request, said, expected = (_) => null) {
    try {
      this.#say(said(await request()), "ok");
    } catch (e) {
      const text = expected(e);
      if (text) this.#say(text, "error");
      else return this.fail(e);
    }
    this.changed();
    await this.refresh().catch((e) => this.fail(e));
  }

  #say(text, kind) {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
    this.status.hidden = false;
  }
}

const headerText = (h) => `${h.name}: ${h.secret ? `‹${h.secret}›${h.format && h.format !== "raw" ? ` (${h.format})` : ""}` : h.value ?? ""}`;

// The detail of one dead letter: its fields, then each call its message would send.
function detailOf(entry, close) {
  const message = entry.message ?? {};
  const fields = [
    ["Destination", entry.destination], ["Reason", `${entry.reason}${entry.status ? ` (HTTP ${entry.status})` : ""}`],
    ["Error", entry.error || "—"], ["When", `${entry.at} (${age(Date.parse(entry.at))} ago)`], ["Attempts", entry.attempts],
    ["User (order key)", entry.orderKey || "—"], ["Message ids", (entry.messageIds ?? []).join(", ") || "—"], ["Id", entry.id],
  ];
  const calls = Array.isArray(message.calls) ? message.calls : [];
  const stored = typeof message.ref === "string"
    ? [el("p", { class: "quiet" }, `The chain is kept in the payload store (${message.count ?? "?"} calls, reference ${message.ref}); replaying reads it from there.`)]
    : [];
  return [
    el("div", { class: "detail-head" },
      el("h3", { tabindex: -1 }, `Dead letter: ${entry.destination}, ${entry.reason}`),
      el("button", { type: "button", class: "secondary", onclick: close }, "Close")),
    el("dl", { class: "fields" }, fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
    ...stored,
    calls.length ? el("h4", {}, `${calls.length} call${calls.length === 1 ? "" : "s"} to replay`) : null,
    ...calls.map((call) => {
      const headers = call.headers ?? message.headers ?? [];
      return el("div", { class: "call" },
        el("div", { class: "call-head" }, el("span", { class: "method" }, call.method ?? message.method ?? "POST"), el("code", { class: "url" }, call.url)),
        headers.length ? el("ul", { class: "headers" }, headers.map((h) => el("li", {}, headerText(h)))) : null,
        el("pre", { class: "body", "aria-label": `Body of the call to ${call.url}` }, prettyJson(String(call.body ?? ""))),
        el("div", { class: "quiet" }, `messageId ${call.messageId ?? "—"}`));
    }),
  ].filter(Boolean);
}
