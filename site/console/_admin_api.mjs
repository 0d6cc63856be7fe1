// @ts-check
// The Worker's admin endpoints (host-shims/admin/admin.mjs), under the pages' prefix
// (host-shims/browser/assets_prefix.mjs), with `Authorization: Bearer <ADMIN_TOKEN>`. Every answer is JSON; a failure is
// an AdminError carrying the status, the admin's code and a sentence a person can act on.
import { assetsPrefix } from "../../host-shims/browser/assets_prefix.mjs";

export class AdminError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const REFUSED_TOKEN = "401 Unauthorized: the Worker refused this admin token. Enter its ADMIN_TOKEN secret.";
// What a 404 to GET /admin/stats means: the Worker has no ADMIN_TOKEN, so the core answered.
export const NO_ADMIN = "404 Not Found: this Worker answers no /admin/ path. Set its ADMIN_TOKEN secret (wrangler secret put ADMIN_TOKEN) to turn the admin endpoints on.";

export class AdminApi {
  // base: the Worker's origin and the pages' prefix ("https://example.com/collect").
  constructor(token, base = location.origin + assetsPrefix(), fetchImpl = fetch.bind(globalThis)) {
    this.token = token;
    this.base = base.replace(/\/+$/, "");
    this.fetch = fetchImpl;
  }

  async call(method, path, body = undefined) {
    const url = new URL(this.base + path).href;
    let response;
    try {
      response = await this.fetch(url, {
        method,
        cache: "no-store",
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new AdminError(0, "network", `${method} ${path}: the Worker did not answer (${e?.message ?? e}).`);
    }
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    if (response.ok && json !== null) return json;
    if (response.status === 401) throw new AdminError(401, "unauthorized", REFUSED_TOKEN);
    throw new AdminError(response.status, json?.code ?? "unexpected", `${method} ${path}: ${response.status} ${json?.message ?? text.slice(0, 200)}`);
  }

  get(path) {
    return this.call("GET", path);
  }
}
