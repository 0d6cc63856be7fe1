// @ts-check
// The console's DOM helpers: el and svgEl (host-shims/browser/dom.mjs, shared with the tester),
// and the page's own formatting.
export { el, svgEl } from "../../host-shims/browser/dom.mjs";

export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

// Local time of day: "14:05" or, with seconds, "14:05:09".
export function clock(ms, seconds = false) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}${seconds ? `:${two(d.getSeconds())}` : ""}`;
}

// How long ago: "12 s", "3 min", "5 h", "2 d".
export function age(ms, now = Date.now()) {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
