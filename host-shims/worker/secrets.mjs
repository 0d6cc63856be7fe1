// @ts-check
// Secrets live only in the host: the core's plan names a binding and a format, and the value is
// filled in here, at send time.
// A binding the configuration needs (a secret, a rate limiter, the delivery queue) is missing or
// malformed: the configuration does not load, and the operator is told which and how to fix it.
export class BindingError extends Error {
  constructor(message) {
    super(message);
    this.name = "BindingError";
    this.status = 500;
    this.code = "invalid_config";
  }
}

// Checks, at config load, every secret the configuration names: present, and of the declared shape.
export function checkSecrets(description, env) {
  for (const { binding, field, pattern } of description.secrets ?? []) {
    const value = env?.[binding];
    if (typeof value !== "string" || value === "") {
      throw new BindingError(`${field}: secret ${binding} is not set (wrangler secret put ${binding}, or .dev.vars)`);
    }
    if (pattern && !new RegExp(pattern).test(value)) {
      throw new BindingError(`${field}: the value of secret ${binding} does not match ${pattern}`);
    }
  }
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function headerValue(header, env) {
  if (header.format === "none") return header.value;
  const secret = env?.[header.secret] ?? "";
  switch (header.format) {
    case "raw":
      return secret;
    case "bearer":
      return `Bearer ${secret}`;
    case "basic_username":
      return `Basic ${base64(`${secret}:`)}`;
    default:
      return "";
  }
}

// Headers for logs and the capture destination: secrets shown by name only.
export function redactedHeaders(request) {
  return Object.fromEntries(request.headers.map((h) => [h.name, h.format === "none" ? h.value : `<secret ${h.secret}>`]));
}
