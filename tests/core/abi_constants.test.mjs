// The ABI's constants are written twice, once in C++ (the core writes the plan) and once in JS (the
// host reads it): this reads the C++ sources and checks that the two agree, so that neither side
// changes alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CALL_FLAGS, NOTE_KIND, PLAN_LAYOUT, SECRET_FORMAT } from "../../host-shims/core/plan.mjs";
import { ABI_VERSION } from "../../host-shims/core/core.mjs";

const source = (path) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8");
const constant = (text, name) => {
  const m = new RegExp(`\\b${name}\\s*=\\s*(0x[0-9A-Fa-f]+|\\d+)`).exec(text);
  assert.ok(m, `${name} not found`);
  return Number(m[1]);
};
// The enumerators of `enum class <name>` in declaration order, with their values.
const enumerators = (text, name) => {
  const body = new RegExp(`enum (?:class )?${name}\\b[^{]*\\{([^}]*)\\}`).exec(text)?.[1];
  assert.ok(body, `enum ${name} not found`);
  return body.replace(/\/\/[^\n]*/g, "").split(",").map((e) => e.trim()).filter(Boolean).map((e) => {
    const [key, value] = e.split("=").map((x) => x.trim());
    return [key, value];
  });
};

test("plan layout: magic, version and table widths are the C++ encoder's", () => {
  const enc = source("src/plan/plan_encoding.hpp") + source("src/plan/plan_encoding.cpp");
  assert.deepEqual(PLAN_LAYOUT, {
    MAGIC: constant(enc, "plan_magic"),
    VERSION: constant(enc, "plan_format_version"),
    HEADER_WORDS: constant(enc, "header_words"),
    REPLY_HEADER_WORDS: constant(enc, "reply_header_words"),
    REQUEST_WORDS: constant(enc, "request_words"),
    REQUEST_HEADER_WORDS: constant(enc, "request_header_words"),
    NOTE_WORDS: constant(enc, "note_words"),
    RATE_LIMIT_WORDS: constant(enc, "rate_limit_words"),
    MESSAGE_WORDS: constant(enc, "message_words"),
    SOURCE_WORDS: constant(enc, "source_words"),
  });
});

test("enums: secret formats and note kinds in the C++ order and values; call flags' bits", () => {
  const plan = source("src/plan/plan.hpp");
  assert.deepEqual(enumerators(plan, "secret_format"), SECRET_FORMAT.map((name, i) => [name, String(i)]));
  assert.deepEqual(enumerators(plan, "note_kind"), NOTE_KIND.map((name, i) => [name, String(i)]));
  const flags = Object.fromEntries(enumerators(plan, "call_flags"));
  assert.equal(flags.retry_not_found, "1u << 0");
  assert.equal(CALL_FLAGS.retryNotFound, 1 << 0);
});

test("the ABI version the host expects is the one wasm/exports.cpp reports", () => {
  assert.equal(ABI_VERSION, constant(source("wasm/exports.cpp"), "abi_version"));
});

test("queue messages: the size limit, the flags and the secret formats' names are the C++ writer's", async () => {
  const { MESSAGE_MAX_BYTES } = await import("../../host-shims/delivery/deliver_queue.mjs");
  const { MESSAGE_FLAGS } = await import("../../host-shims/core/plan.mjs");
  const writer = source("src/plan/queue_messages.hpp") + source("src/plan/queue_messages.cpp");
  assert.equal(MESSAGE_MAX_BYTES, constant(writer, "queue_message_max_bytes"));
  assert.deepEqual(Object.fromEntries(enumerators(source("src/plan/plan.hpp"), "queue_message_flags")), { oversized_chain: "1u << 0" });
  assert.equal(MESSAGE_FLAGS.oversizedChain, 1 << 0);
  const names = /secret_format_names\[\]\s*=\s*\{([^}]*)\}/.exec(writer)?.[1];
  assert.deepEqual(names?.split(",").map((n) => JSON.parse(n.trim())), SECRET_FORMAT);
});

test("request meta: magic, head size, flags and the strings' order are the C++ reader's", async () => {
  const { META_MAGIC, META_HEAD_BYTES, META_FLAGS, META_STRINGS } = await import("../../host-shims/core/meta.mjs");
  const reader = source("src/http/request_meta.hpp");
  assert.equal(META_MAGIC, constant(reader, "meta_magic"));
  assert.equal(META_HEAD_BYTES, constant(reader, "meta_head_bytes"));
  assert.equal(META_STRINGS.length, constant(reader, "meta_string_count"));
  assert.deepEqual(enumerators(reader, "meta_string").map(([name]) => name), META_STRINGS);
  const flags = Object.fromEntries(enumerators(reader, "meta_flags"));
  assert.deepEqual(flags, { meta_body_too_large: "1u << 0", meta_queue: "1u << 1", meta_is_eu_country: "1u << 2" });
  assert.deepEqual(META_FLAGS, { bodyTooLarge: 1 << 0, queue: 1 << 1, isEUCountry: 1 << 2 });
});
