// @ts-check
// DOM built in code, for the pages (site/tester/, site/console/): el("button", {type: "button",
// onclick}, "Replay"). Text children become text nodes (never HTML), so nothing from an event, a
// configuration or the Worker's answers is ever parsed as markup.
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
