// @ts-check
// The event tester (README "See what happens to your events"): pick a configuration and a source,
// compose an event, and see the plan the Worker's core makes for it, computed in this page by the
// Emscripten build of the core (Planner). Nothing is sent to translate anything: the only requests
// are this page's files and, when asked, the Worker's configuration (GET /admin/config/document).
// Bundled by scripts/build-assets.mjs into tester.js, a classic script, so that the page also works
// opened from disk (file://), where the core comes from core.wasm.js (load_module.mjs).
import { CoreError, Planner } from "../../host-shims/browser/planner.mjs";
import { prettyJson } from "../../host-shims/browser/pretty_json.mjs";
import { loadConfigDocument } from "./_config_document.mjs";
import { assetsPrefix } from "../../host-shims/browser/assets_prefix.mjs";
import { el } from "../../host-shims/browser/dom.mjs";
import { presetEvent } from "./_event_presets.mjs";
import { callCount, parseEventText, planSections } from "./_plan_view.mjs";

const TOKEN_KEY = "ajs-edge.tester.adminToken"; // sessionStorage: this tab only
const PLAN_DELAY_MS = 200; // typing pauses this long before the plan is recomputed
const CONFIG_DELAY_MS = 300;

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id)); // inputs and textareas
const ui = {
  coreStatus: $("core-status"),
  configStatus: $("config-status"),
  configText: field("config-text"),
  pastePanel: $("paste-panel"),
  workerPanel: $("worker-panel"),
  workerForm: $("worker-form"),
  token: field("admin-token"),
  sources: $("sources"),
  origin: field("origin"),
  event: field("event"),
  eventStatus: $("event-status"),
  plan: $("plan"),
};
const fromDisk = location.protocol === "file:";

const state = {
  planner: null,
  mode: "demo",
  description: null, // the configuration's description while it is valid, else null
  writeKey: null, // the chosen source's
  workerText: null, // the configuration loaded from the Worker
};


function setStatus(node, text, kind = "") {
  node.textContent = text;
  node.className = `status${kind ? ` ${kind}` : ""}`;
  node.hidden = text === "";
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage can be off (a file:// page in some browsers, privacy settings)
  }
}

// ---- configuration ----

function configure(text, what) {
  try {
    state.description = state.planner.configure(text);
    const n = state.description.sources.length;
    setStatus(ui.configStatus, `${what}: ${n} source${n === 1 ? "" : "s"}.`, "ok");
  } catch (e) {
    state.description = null;
    const message = e instanceof CoreError ? e.message : String(e?.message ?? e);
    setStatus(ui.configStatus, `The Worker would refuse this configuration: ${message}`, "error");
  }
  renderSources();
  planSoon(0);
}

function noConfiguration(message, kind = "") {
  state.description = null;
  setStatus(ui.configStatus, message, kind);
  renderSources();
  planSoon(0);
}

function applyConfig() {
  ui.pastePanel.hidden = state.mode !== "paste";
  ui.workerPanel.hidden = state.mode !== "worker";
  if (!state.planner) return;
  if (state.mode === "demo") return configure("", "The built-in demo configuration");
  if (state.mode === "paste") {
    if (ui.configText.value.trim() === "") return noConfiguration("Paste a configuration: the JSON the Worker reads from AJS_EDGE_CONFIG.");
    return configure(ui.configText.value, "The pasted configuration");
  }
  if (fromDisk) return noConfiguration("This page was opened from a file: there is no Worker to load from. Paste its configuration instead.", "error");
  if (state.workerText === null) return noConfiguration("Enter the Worker's admin token and load its configuration.");
  configure(state.workerText, "This Worker's configuration");
}

async function loadFromWorker() {
  if (!state.planner) return;
  setStatus(ui.configStatus, "Loading the Worker's configuration…");
  const token = ui.token.value;
  const answer = await loadConfigDocument(location.origin + assetsPrefix(), token);
  if (state.mode !== "worker") return;
  if (!answer.ok) {
    state.workerText = null;
    if (answer.status === 401) storage()?.removeItem(TOKEN_KEY);
    return noConfiguration(answer.message, "error");
  }
  storage()?.setItem(TOKEN_KEY, token.trim());
  state.workerText = answer.text;
  configure(answer.text, answer.demo ? "This Worker runs the built-in demo configuration" : "This Worker's configuration");
}

function renderSources() {
  const sources = state.description?.sources ?? [];
  if (!sources.some((s) => s.writeKey === state.writeKey)) state.writeKey = sources[0]?.writeKey ?? null;
  ui.sources.replaceChildren(
    ...sources.map((source, i) =>
      el("li", {},
        el("label", { class: "source" },
          el("input", { type: "radio", name: "source", value: source.writeKey, checked: source.writeKey === state.writeKey }),
          el("span", { class: "source-text" },
            el("span", { class: "source-name" }, source.name || `Source ${i + 1}`),
            el("span", { class: "source-key" }, "writeKey ", el("code", {}, source.writeKey)),
            el("span", { class: "chips" }, source.destinations.length === 0
              ? el("span", { class: "chip none" }, "no destination")
              : source.destinations.map((d) => el("span", { class: `chip ${d.key}`, title: d.key }, d.catalogName || d.key))),
          ),
        ),
      ),
    ),
  );
  if (sources.length === 0) ui.sources.append(el("li", { class: "empty" }, "No configuration, no source."));
}

// ---- the plan ----

let planTimer;
function planSoon(ms = PLAN_DELAY_MS) {
  clearTimeout(planTimer);
  planTimer = setTimeout(planNow, ms);
}

function showMessage(text, kind = "") {
  ui.plan.replaceChildren(el("p", { class: `empty ${kind}` }, text));
}

// Each plan drawn is counted on #plan (data-plans), with the length of the event text it was drawn
// from: the tests wait on these for the plan of what they typed.
let drawn = 0;
function planNow() {
  if (!state.planner) return;
  try {
    drawPlan();
  } finally {
    ui.plan.dataset.plans = String(++drawn);
    ui.plan.dataset.eventLength = String(ui.event.value.length);
  }
}

function drawPlan() {
  const parsed = parseEventText(ui.event.value);
  setStatus(ui.eventStatus, parsed.ok ? "" : parsed.message, "error");
  ui.event.classList.toggle("invalid", !parsed.ok);
  if (!state.description) return showMessage("No configuration to plan with: choose or fix one on the left.");
  const source = state.description.sources.find((s) => s.writeKey === state.writeKey);
  if (!source) return showMessage("This configuration has no source.");
  if (!parsed.ok) return showMessage(parsed.message, "error");
  let result;
  try {
    result = state.planner.plan(parsed.value, {
      writeKey: source.writeKey,
      host: location.host || "localhost",
      scheme: location.protocol === "http:" ? "http" : "https",
      origin: ui.origin.value.trim(),
      receivedAt: Date.now(),
    });
  } catch (e) {
    return showMessage(`The core failed on this event: ${e?.message ?? e}`, "error");
  }
  renderPlan(source, result);
}

const headerRows = (headers) =>
  el("table", { class: "headers" },
    el("tbody", {}, Object.entries(headers).map(([name, value]) =>
      el("tr", {}, el("th", { scope: "row" }, name), el("td", { class: String(value).startsWith("<secret ") ? "secret" : "" }, value)))));

function noteItem(note) {
  return el("li", { class: `note ${note.kind}`, "data-kind": note.kind, "data-destination": note.destination },
    el("span", { class: "kind" }, note.kind),
    el("span", { class: "where" }, note.destination || "the whole message"),
    el("code", { class: "reason" }, note.reason),
    note.messageId ? el("span", { class: "message-id" }, note.messageId) : null);
}

async function copyBody(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const scratch = /** @type {HTMLTextAreaElement} */ (el("textarea", { class: "scratch", readonly: true }));
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    document.execCommand("copy");
    scratch.remove();
  }
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = "Copy body"), 1200);
}

function callCard(call) {
  const copy = el("button", { type: "button", class: "copy", title: "Copies the body exactly as the Worker sends it" }, "Copy body");
  copy.addEventListener("click", () => copyBody(call.body, copy));
  return el("article", { class: `call ${call.destination}`, "data-destination": call.destination },
    el("div", { class: "call-head" },
      el("span", { class: "method" }, call.method),
      el("code", { class: "url" }, call.url)),
    headerRows(call.headers),
    el("div", { class: "body-head" }, el("span", {}, "Body"), copy),
    el("pre", { class: "body" }, prettyJson(call.body)),
    el("div", { class: "message-id" }, "messageId ", el("code", {}, call.messageId)));
}

function renderPlan(source, result) {
  const { request, status, reply, problem, counters } = result;
  const replyText = typeof reply === "string" ? reply : JSON.stringify(reply);
  const out = [
    el("div", { class: `reply ${status >= 400 ? "refused" : "accepted"}`, id: "reply", "data-status": status },
      el("div", { class: "reply-head" },
        el("span", { class: "label" }, "The client gets"),
        el("span", { class: "status-code" }, String(status)),
        el("code", { class: "reply-body" }, replyText)),
      el("div", { class: "request" }, "for ", el("code", {}, `${request.method} ${request.url}`),
        request.headers.origin ? [" from ", el("code", {}, request.headers.origin)] : " with no Origin"),
      el("div", { class: "counters" }, `received ${counters.received} · accepted ${counters.accepted} · rejected ${counters.rejected}`)),
  ];
  if (problem) {
    const rows = [["code", problem.code], ["message", problem.message], ["setting", problem.setting], ["docs", problem.docs]].filter(([, v]) => v);
    out.push(el("div", { class: "problem", id: "problem" },
      el("h3", {}, status >= 400 ? "Refused" : "Problem"),
      el("dl", {}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", { "data-field": k }, v)]))));
  }
  const { sections, messageNotes } = planSections(source, result);
  if (messageNotes.length > 0) out.push(el("ul", { class: "notes message-notes" }, messageNotes.map(noteItem)));
  for (const s of sections) {
    out.push(el("section", { class: `destination ${s.key}`, "data-destination": s.key },
      el("h3", {}, el("span", { class: "dest-name" }, s.name), " ", el("code", {}, s.key), " ", el("span", { class: "count" }, callCount(s.calls.length))),
      s.notes.length > 0 ? el("ul", { class: "notes" }, s.notes.map(noteItem)) : null,
      s.calls.map(callCard)));
  }
  ui.plan.replaceChildren(...out);
}

// ---- wiring ----

const presetButtons = () => /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll("[data-preset]"));

function pickPreset(name) {
  ui.event.value = JSON.stringify(presetEvent(name, new Date()), null, 2);
  for (const b of presetButtons()) b.setAttribute("aria-pressed", String(b.dataset.preset === name));
  planSoon(0);
}

function wire() {
  ui.origin.value = fromDisk ? "" : location.origin;
  ui.token.value = storage()?.getItem(TOKEN_KEY) ?? "";
  if (fromDisk) {
    const radio = /** @type {HTMLInputElement} */ (document.querySelector('input[name="config-mode"][value="worker"]'));
    radio.disabled = true;
    radio.parentElement.append(" (not from a file)");
  }
  for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name="config-mode"]'))) {
    radio.addEventListener("change", () => {
      state.mode = radio.value;
      applyConfig();
      // A token kept from earlier in this tab loads the Worker's configuration right away.
      if (state.mode === "worker" && !fromDisk && state.workerText === null && ui.token.value.trim() !== "") loadFromWorker();
    });
  }
  let configTimer;
  ui.configText.addEventListener("input", () => {
    clearTimeout(configTimer);
    configTimer = setTimeout(applyConfig, CONFIG_DELAY_MS);
  });
  ui.workerForm.addEventListener("submit", (e) => {
    e.preventDefault();
    loadFromWorker();
  });
  ui.sources.addEventListener("change", (e) => {
    const target = /** @type {HTMLInputElement} */ (e.target);
    if (target.name === "source") {
      state.writeKey = target.value;
      planSoon(0);
    }
  });
  for (const b of presetButtons()) b.addEventListener("click", () => pickPreset(b.dataset.preset));
  ui.event.addEventListener("input", () => {
    for (const b of presetButtons()) b.setAttribute("aria-pressed", "false"); // edited: no longer the preset
    planSoon();
  });
  ui.origin.addEventListener("input", () => planSoon());
  pickPreset("track");
}

async function start() {
  wire();
  const wasm = new URL("../ajs-edge/core.wasm", document.baseURI);
  try {
    state.planner = await Planner.load(wasm);
  } catch (e) {
    setStatus(ui.coreStatus, `Could not load the core from ${wasm.href}: ${e?.message ?? e}`, "error");
    showMessage("Without the core nothing can be planned.", "error");
    return;
  }
  setStatus(ui.coreStatus, `Core loaded${fromDisk ? " from disk" : ""}: plans are computed in this page.`, "ok");
  document.body.dataset.ready = "true";
  applyConfig();
}

start();
