// @ts-check
// One instance of the C++ core (either toolchain's module: same exports, same ABI).
import { wasmImports } from "./wasi_shim.mjs";
import { BufferPool, decodePlan, StringCache } from "./plan.mjs";
import { bodyOffset, metaCapacity, metaStrings, writeMeta } from "./meta.mjs";

export const ABI_VERSION = 2; // wasm/exports.cpp abi_version (tests/core/abi_constants.test.mjs)
// Inputs up to this size (a beacon's meta and body) go through one buffer the instance keeps; a
// bigger one gets its own, freed after the call, so that a big batch leaves nothing behind.
const KEPT_INPUT_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class CoreError extends Error {
  constructor(detail) {
    super(detail.message);
    this.status = detail.status;
    this.code = detail.code;
  }
}

export class Core {
  // `module` is a compiled WebAssembly.Module: workerd refuses to compile bytes, so Workers
  // import the .wasm as a module; Node compiles it once and passes it in.
  static async instantiate(module) {
    const imports = Core.#imports();
    return Core.#started(await WebAssembly.instantiate(module, imports.object), imports);
  }

  // The same at once, where nothing may wait: a Worker's global scope (warm_up.mjs).
  static instantiateNow(module) {
    const imports = Core.#imports();
    return Core.#started(new WebAssembly.Instance(module, imports.object), imports);
  }

  static #imports() {
    const imports = { memory: /** @type {WebAssembly.Memory | null} */ (null), object: {} };
    imports.object = wasmImports(() => imports.memory);
    return imports;
  }

  static #started(instance, imports) {
    const exports = /** @type {any} */ (instance).exports;
    imports.memory = exports.memory;
    exports._initialize?.(); // reactor: runs the C++ static constructors
    if (exports.ajs_abi_version() !== ABI_VERSION) throw new Error("ajs-edge: wasm ABI version mismatch");
    return new Core(exports);
  }

  constructor(exports) {
    this.x = exports;
    this.pool = new BufferPool();
    this.strings = new StringCache();
    this.input = { ptr: 0, size: 0 }; // the kept input buffer
  }

  // Parses the configuration text ("" = the built-in demo). Returns its description
  // ({demo, secrets:[{binding, field, pattern}]}); throws CoreError naming the bad field.
  configure(text) {
    const bytes = encoder.encode(text ?? "");
    const rc = this.#call(bytes, (p, n) => this.x.ajs_configure(p, n));
    const out = JSON.parse(decoder.decode(this.#output()));
    if (rc !== 0) throw new CoreError(out);
    return out;
  }

  // meta: {method, url, headers, receivedAt, seed, bodyTooLarge, bodyError, queue, geo} (meta.mjs); body: Uint8Array.
  // With meta.queue the plan holds its queue messages (in a pooled buffer: call plan.release() once
  // they are queued) and not its calls; without, its calls (and no messages).
  handle(meta, body) {
    return this.#handle(meta, body, (x) =>
      meta.queue === true // as meta.mjs writes the flag
        ? // Read right away, before any other call can reuse the output.
          decodePlan(new Uint8Array(x.memory.buffer, x.ajs_output_ptr(), x.ajs_output_len()), this.pool, this.strings)
        : decodePlan(this.#output(), null, this.strings),
    );
  }

  // The encoded plan itself (a copy): what the parity tests compare byte for byte across builds.
  handleBytes(meta, body) {
    return this.#handle(meta, body, () => this.#output());
  }

  #handle(meta, body, read) {
    const x = this.x;
    const strings = metaStrings(meta);
    const metaRoom = bodyOffset(metaCapacity(strings));
    const size = metaRoom + body.length;
    const kept = size <= KEPT_INPUT_BYTES;
    if (kept && size > this.input.size) {
      if (this.input.ptr) x.ajs_free(this.input.ptr);
      this.input = { ptr: x.ajs_alloc(KEPT_INPUT_BYTES), size: KEPT_INPUT_BYTES };
    }
    const ptr = kept ? this.input.ptr : x.ajs_alloc(size);
    try {
      const memory = new Uint8Array(x.memory.buffer);
      const metaLength = writeMeta(meta, strings, memory, ptr);
      memory.set(body, ptr + metaRoom);
      const rc = x.ajs_handle(ptr, metaLength, ptr + metaRoom, body.length);
      if (rc !== 0) throw new CoreError(JSON.parse(decoder.decode(this.#output())));
      return read(x);
    } finally {
      if (!kept) x.ajs_free(ptr);
    }
  }

  #call(bytes, fn) {
    const ptr = this.x.ajs_alloc(bytes.length);
    try {
      new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
      return fn(ptr, bytes.length);
    } finally {
      this.x.ajs_free(ptr);
    }
  }

  // A copy of the output: memory.buffer may have grown (and been replaced) during the call,
  // and the next call reuses the output buffer.
  #output() {
    const ptr = this.x.ajs_output_ptr();
    const len = this.x.ajs_output_len();
    return new Uint8Array(this.x.memory.buffer, ptr, len).slice();
  }
}
