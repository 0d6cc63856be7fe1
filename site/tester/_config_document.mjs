// @ts-check
// "Load from this Worker": the configuration text the Worker runs, from its admin endpoint
// GET <base>/admin/config/document (host-shims/admin/admin.mjs), base being the Worker's origin and
// the pages' prefix (host-shims/browser/assets_prefix.mjs). → {ok: true, demo, text} or
// {ok: false, message} saying what to do.
export async function loadConfigDocument(base, token, fetchImpl = fetch) {
  if (token.trim() === "") return { ok: false, message: "Enter the Worker's admin token (its ADMIN_TOKEN secret)." };
  const url = new URL(`${base.replace(/\/+$/, "")}/admin/config/document`).href;
  let response;
  try {
    response = await fetchImpl(url, { headers: { authorization: `Bearer ${token.trim()}` }, cache: "no-store" });
  } catch (e) {
    return { ok: false, message: `GET ${url} failed: ${e?.message ?? e}.` };
  }
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  if (response.status === 401) return { ok: false, status: 401, message: "401 Unauthorized: the Worker refused this admin token. Check its ADMIN_TOKEN secret." };
  if (response.status === 404) {
    return { ok: false, status: 404, message: `404 Not Found: this Worker has no admin endpoint at ${url} (is its ADMIN_TOKEN secret set?)${body?.message ? `: ${body.message}` : ""}.` };
  }
  if (!response.ok) return { ok: false, status: response.status, message: `${response.status}: ${body?.message ?? text.slice(0, 300)}` };
  if (typeof body?.text !== "string") return { ok: false, status: response.status, message: `GET ${url}: the answer has no configuration text.` };
  return { ok: true, demo: body.demo === true, text: body.text };
}
