// @ts-check
// The page's DOM, built in code: el("button", {type: "button", onclick}, "Replay"). Text children
// become text nodes (never HTML), so nothing from the Worker's answers is ever parsed as markup.
const SVG_NS = "http://www.w3.org/2000/svg";

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

/** @returns {HTMLElement} */
export const el = (tag, attrs = {}, ...children) => build(document.createElement(tag), attrs, children);
/** @returns {SVGElement} */
export const svgEl = (tag, attrs = {}, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

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
