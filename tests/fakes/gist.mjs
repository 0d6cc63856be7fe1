// A contract-strict fake of the Gist REST API (shared/reference/gist-api.md), for integration
// tests of the planned calls. Node 20, no dependencies.
//
//   const gist = await startFakeGist({ apiKey: "test-key" });
//   … point the destination's `endpoint` at gist.url …
//   gist.contacts (Map id → contact), gist.events, gist.tags (Map name → tag), gist.requests
//   gist.failNext(429, { retryAfter: 2, count: 1 }); await gist.close();
//
// Strict where the contract is known, and where it is not (marked "strict:") it refuses rather
// than guesses, so that a mapping mistake shows up as a 4xx in a test instead of silence.
// Errors use Gist's shape: {"errors":[{"code":"…","message":"…"}]}. Codes other than
// `not_found` are the fake's own (Gist's are not documented).
import { createServer } from "node:http";

const CONTACT_FIELDS = {
  id: "integer", user_id: "string", email: "string", name: "string", phone: "string",
  signed_up_at: "integer", last_seen_ip: "string", last_seen_user_agent: "string",
  unsubscribed_from_emails: "boolean", tags: "string[]", custom_properties: "object", type: "string",
  // Built-in fields some integrations send top-level (gist-api.md §2.2); accepted, stored as sent.
  landing_url: "string", original_referrer: "string", website_url: "string", job_title: "string",
  company_name: "string", mobile_phone_number: "string", preferred_language: "string",
  industry: "string", date_of_birth: "string", gender: "string", created_at: "integer", last_seen_at: "integer",
};
const EVENT_FIELDS = {
  event_name: "string", id: "integer", user_id: "string", email: "string",
  occurred_at: "integer|null", properties: "object",
};
const TAG_FIELDS = { id: "integer", name: "string", contacts: "object[]" };
const TAG_CONTACT_FIELDS = { id: "integer|string", user_id: "string", email: "string", untag: "boolean" };
const MAX_CONTACTS_PER_TAG_CALL = 50; // strict: Gist says more "may time out" (seeds/002)

class GistError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const isType = (value, type) =>
  type.split("|").some((t) => {
    switch (t) {
      case "string": return typeof value === "string";
      case "integer": return Number.isInteger(value);
      case "boolean": return typeof value === "boolean";
      case "null": return value === null;
      case "object": return value !== null && typeof value === "object" && !Array.isArray(value);
      case "string[]": return Array.isArray(value) && value.every((v) => typeof v === "string");
      case "object[]": return Array.isArray(value) && value.every((v) => isType(v, "object"));
      default: return false;
    }
  });

// strict: unknown fields are refused, every known field must have its documented type.
function checkFields(body, fields, where) {
  for (const [key, value] of Object.entries(body)) {
    const type = fields[key];
    if (!type) throw new GistError(400, "parameter_invalid", `${where}${key}: unknown field`);
    if (!isType(value, type)) throw new GistError(400, "parameter_invalid", `${where}${key}: must be ${type}`);
  }
}

// Gist: event names are case-insensitive; periods and dollars become hyphens (seeds/002).
export const normaliseEventName = (name) => name.toLowerCase().replace(/[.$]/g, "-");

const now = () => Math.floor(Date.now() / 1000);

export async function startFakeGist({ apiKey }) {
  const contacts = new Map(); // id → contact
  const events = [];
  const tags = new Map(); // name → { id, name }
  const requests = [];
  const failures = []; // queued { status, retryAfter }
  let nextContactId = 1;
  let nextTagId = 1;

  // Gist matches id > user_id > email (gist-api.md §2.3).
  function findContact({ id, user_id, email }) {
    if (id !== undefined) return contacts.get(Number(id));
    if (user_id !== undefined) {
      for (const c of contacts.values()) if (c.user_id === user_id) return c;
    }
    if (email !== undefined) {
      for (const c of contacts.values()) if (c.email === email) return c;
    }
    return undefined;
  }

  function createContact(fields) {
    const t = now();
    const contact = {
      id: nextContactId++, type: fields.user_id ? "user" : "lead", created_at: t, updated_at: t,
      tags: [], custom_properties: {},
    };
    contacts.set(contact.id, contact);
    return contact;
  }

  function ensureTag(name) {
    if (!tags.has(name)) tags.set(name, { id: nextTagId++, name }); // tag names are case-sensitive via the API
    return tags.get(name);
  }

  function upsertContact(body) {
    checkFields(body, CONTACT_FIELDS, "");
    if (body.user_id === undefined && body.email === undefined && body.id === undefined)
      throw new GistError(400, "parameter_not_found", "email or user_id is required");
    let contact = findContact(body);
    if (!contact) {
      if (body.id !== undefined) throw new GistError(404, "not_found", "Contact not found");
      if (body.email === undefined) throw new GistError(400, "parameter_not_found", "email is required to create a contact");
      contact = createContact(body);
    }
    const { id, tags: tagNames, custom_properties: props, ...rest } = body;
    Object.assign(contact, rest);
    if (contact.user_id) contact.type = "user"; // a lead given a user_id becomes a user
    if (props) Object.assign(contact.custom_properties, props);
    for (const name of tagNames ?? []) {
      ensureTag(name);
      if (!contact.tags.includes(name)) contact.tags.push(name);
    }
    contact.updated_at = now();
    return { contact };
  }

  function recordEvent(body) {
    checkFields(body, EVENT_FIELDS, "");
    if (body.event_name === undefined || body.event_name === "")
      throw new GistError(400, "parameter_not_found", "event_name is required");
    if (body.id === undefined && body.user_id === undefined && body.email === undefined)
      throw new GistError(400, "parameter_not_found", "id, user_id or email is required");
    let contact = findContact(body);
    if (!contact) {
      // An event creates its contact only from an email (Segment: email required to create).
      if (body.email === undefined) throw new GistError(404, "not_found", "Contact not found");
      contact = createContact(body);
      contact.email = body.email;
      if (body.user_id !== undefined) contact.user_id = body.user_id;
    }
    const event = {
      event_name: normaliseEventName(body.event_name), contact_id: contact.id,
      user_id: contact.user_id ?? null, email: contact.email ?? null,
      occurred_at: body.occurred_at ?? now(), properties: body.properties ?? {},
    };
    events.push(event);
    return { event: { name: event.event_name, email: event.email, user_id: event.user_id } };
  }

  function writeTag(body) {
    checkFields(body, TAG_FIELDS, "");
    if (typeof body.name !== "string" || body.name === "") throw new GistError(400, "parameter_not_found", "name is required");
    if (!body.contacts) {
      if (body.id !== undefined) {
        // Rename.
        const old = [...tags.values()].find((t) => t.id === body.id);
        if (!old) throw new GistError(404, "not_found", "Tag not found");
        tags.delete(old.name);
        old.name = body.name;
        tags.set(old.name, old);
        return { tag: old };
      }
      return { tag: ensureTag(body.name) };
    }
    if (body.contacts.length > MAX_CONTACTS_PER_TAG_CALL)
      throw new GistError(400, "too_many_contacts", `at most ${MAX_CONTACTS_PER_TAG_CALL} contacts per call`);
    const found = body.contacts.map((ref, i) => {
      checkFields(ref, TAG_CONTACT_FIELDS, `contacts[${i}].`);
      if (ref.id === undefined && ref.user_id === undefined && ref.email === undefined)
        throw new GistError(400, "parameter_not_found", `contacts[${i}]: id, user_id or email is required`);
      const contact = findContact(ref);
      if (!contact) throw new GistError(404, "not_found", `contacts[${i}]: Contact not found`);
      return [contact, ref.untag === true];
    });
    const tag = ensureTag(body.name); // created if missing
    for (const [contact, untag] of found) {
      contact.tags = contact.tags.filter((n) => n !== tag.name);
      if (!untag) contact.tags.push(tag.name);
    }
    return { tag };
  }

  function getContact(query, id) {
    const key = id !== undefined ? { id } : query.has("user_id") ? { user_id: query.get("user_id") }
      : query.has("email") ? { email: query.get("email") } : undefined;
    if (!key) return { contacts: [...contacts.values()], pages: { next: null } };
    const contact = findContact(key);
    if (!contact) throw new GistError(404, "not_found", "Contact not found");
    return { contact };
  }

  // path → method → handler(body, query, param)
  const routes = [
    [/^\/contacts$/, { POST: (b) => upsertContact(b), GET: (_, q) => getContact(q) }],
    [/^\/contacts\/(\d+)$/, { GET: (_, q, id) => getContact(q, id) }],
    [/^\/events$/, { POST: (b) => recordEvent(b), GET: () => ({ events }) }],
    [/^\/tags$/, { POST: (b) => writeTag(b), GET: () => ({ tags: [...tags.values()] }) }],
    [/^\/tags\/(\d+)$/, {
      DELETE: (_, q, id) => {
        const tag = [...tags.values()].find((t) => t.id === Number(id));
        if (!tag) throw new GistError(404, "not_found", "Tag not found");
        tags.delete(tag.name);
        for (const c of contacts.values()) c.tags = c.tags.filter((n) => n !== tag.name);
        return {};
      },
    }],
  ];

  function handle(method, url, headers, raw) {
    const failure = failures.shift();
    if (failure) {
      const extra = failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {};
      const code = failure.status === 429 ? "rate_limited" : "server_error";
      throw Object.assign(new GistError(failure.status, code, `fake failure ${failure.status}`), { headers: extra });
    }
    if (headers.authorization !== `Bearer ${apiKey}`)
      throw new GistError(401, "unauthorized", "Unauthorized: a valid API key is required as Bearer token");
    const route = routes.find(([re]) => re.test(url.pathname));
    if (!route) throw new GistError(404, "not_found", `no route ${url.pathname}`);
    const handler = route[1][method];
    if (!handler) {
      throw Object.assign(new GistError(405, "method_not_allowed", `${method} not allowed on ${url.pathname}`),
        { headers: { allow: Object.keys(route[1]).join(", ") } });
    }
    let body;
    if (method === "POST") {
      if (!/^application\/json\b/i.test(headers["content-type"] ?? ""))
        throw new GistError(415, "unsupported_media_type", "Content-Type must be application/json");
      try {
        body = JSON.parse(raw);
      } catch {
        throw new GistError(400, "invalid_json", "body is not valid JSON");
      }
      if (!isType(body, "object")) throw new GistError(400, "invalid_json", "body must be a JSON object");
    }
    const param = url.pathname.match(route[0])[1];
    return handler(body, url.searchParams, param);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url, "http://127.0.0.1");
      let parsed = raw;
      try {
        parsed = raw === "" ? undefined : JSON.parse(raw);
      } catch {}
      requests.push({ method: req.method, path: url.pathname + url.search, headers: { ...req.headers }, body: parsed });
      let status = 200, reply, headers = {};
      try {
        reply = handle(req.method, url, req.headers, raw);
      } catch (e) {
        if (!(e instanceof GistError)) throw e;
        status = e.status;
        headers = e.headers ?? {};
        reply = { errors: [{ code: e.code, message: e.message }] };
      }
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(reply));
    });
  });

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    contacts,
    events,
    tags,
    requests,
    // The next `count` requests (default 1) answer `status` (429 with Retry-After when given, or 5xx).
    failNext(status, { retryAfter, count = 1 } = {}) {
      for (let i = 0; i < count; ++i) failures.push({ status, retryAfter });
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
