// @ts-check
// Compiles the Emscripten core for a page. Over http(s) it is fetched (streamed when served as
// application/wasm). A page opened from disk (file://) cannot fetch: there the module comes from
// core.wasm.js, next to core.wasm, a classic script holding it as base64 (scripts/build-assets.mjs).
const GLOBAL = "ajsEdgeCoreWasm";

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`ajs-edge: could not load ${src}`));
    document.head.append(script);
  });
}

async function fetchModule(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`ajs-edge: ${url} answered ${response.status}`);
  if (WebAssembly.compileStreaming && (response.headers.get("content-type") ?? "").startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

// The core uses WebAssembly SIMD (its JSON string scans, wasm/README.md): a browser without it
// (Safari before 16.4) hears so, instead of a compile error. The probe: one function of two SIMD
// instructions (i32.const 0, i8x16.splat, i8x16.popcnt), validated.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
export const NO_SIMD = "ajs-edge: this browser has no WebAssembly SIMD, which the core needs (Chrome 91+, Firefox 89+, Safari 16.4+)";

// source: a compiled module, the module's bytes, or its URL.
export async function loadCoreModule(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (!WebAssembly.validate(SIMD_PROBE)) throw new Error(NO_SIMD);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(/** @type {BufferSource} */ (source));
  const url = new URL(String(source), typeof document !== "undefined" ? document.baseURI : undefined);
  if (url.protocol === "file:" && typeof document !== "undefined") {
    const g = /** @type {any} */ (globalThis);
    if (!g[GLOBAL]) await loadScript(url.href.replace(/\.wasm$/, ".wasm.js"));
    return WebAssembly.compile(fromBase64(g[GLOBAL]));
  }
  return fetchModule(url.href);
}
