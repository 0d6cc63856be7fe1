// @ts-check
// Source names for the live view. The Worker files a request under its source's id (a hash of the
// writeKey the core computes); the names are in the configuration text (GET /admin/config/document),
// and the core itself, in this page (Planner: the Emscripten build), says which id each source has.
// Until that is loaded, or if it cannot be, the page shows the ids alone.
import { Planner } from "../../host-shims/browser/planner.mjs";

export class SourceNames {
  constructor() {
    this.names = new Map();
    this.listeners = [];
  }

  nameOf(id) {
    return this.names.get(id) ?? "";
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  // → null, or why the names are not shown.
  async load(api) {
    try {
      const { text } = await api.get("/admin/config/document");
      const planner = await Planner.load(new URL("../ajs-edge/core.wasm", document.baseURI));
      const description = planner.configure(text);
      for (const s of description.sources ?? []) if (s.id && s.name) this.names.set(s.id, s.name);
      for (const listener of this.listeners) listener();
      return null;
    } catch (e) {
      return `Source names are not shown (${e?.message ?? e}); sources are named by their id.`;
    }
  }
}
