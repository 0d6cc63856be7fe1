// A Worker for tests: the wasi core in workerd, answering with the raw output of the ABI, so that
// what the Worker's build decides can be compared byte for byte with another build's
// (tests/e2e/browser_parity.test.mjs: the Emscripten build in Chromium).
// POST {configs: [{text, requests: [{meta (JSON text), body (base64)}]}]}
//   → {configs: [{configure: base64 output, plans: [base64 plan or error output]}]}
import wasmModule from "../../build/wasm/ajs_edge.wasm";
import { Core, CoreError } from "../../host-shims/core/core.mjs";

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
const encoder = new TextEncoder();

export default {
  async fetch(request) {
    const core = await Core.instantiate(wasmModule);
    const { configs } = await request.json();
    const out = [];
    for (const { text, requests } of configs) {
      let configure;
      try {
        configure = encoder.encode(JSON.stringify(core.configure(text)));
      } catch (e) {
        if (!(e instanceof CoreError)) throw e;
        configure = encoder.encode(`error ${e.code} ${e.message}`);
      }
      const plans = requests.map(({ meta, body }) => {
        try {
          return toBase64(core.handleBytes(JSON.parse(meta), fromBase64(body)));
        } catch (e) {
          if (!(e instanceof CoreError)) throw e;
          return `error ${e.code} ${e.message}`;
        }
      });
      out.push({ configure: toBase64(configure), plans });
    }
    return Response.json({ configs: out });
  },
};
