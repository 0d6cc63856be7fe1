// @ts-check
// The few imports the core's wasm modules need. workerd has no WASI, so we answer the calls
// libc makes when it prints a fatal error (fd_write to stderr) and refuse everything else.
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;
const ERRNO_SPIPE = 70;

export function wasmImports(getMemory) {
  const decoder = new TextDecoder();
  const pending = { 1: "", 2: "" };
  const wasi = {
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const view = new DataView(getMemory().buffer);
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + i * 8, true);
        const len = view.getUint32(iovs + i * 8 + 4, true);
        pending[fd] += decoder.decode(new Uint8Array(getMemory().buffer, ptr, len));
        written += len;
      }
      let nl;
      while ((nl = pending[fd].indexOf("\n")) >= 0) {
        (fd === 2 ? console.error : console.log)(`ajs-edge core: ${pending[fd].slice(0, nl)}`);
        pending[fd] = pending[fd].slice(nl + 1);
      }
      view.setUint32(nwrittenPtr, written, true);
      return ERRNO_SUCCESS;
    },
    fd_close: () => ERRNO_SUCCESS,
    fd_seek: () => ERRNO_SPIPE,
    fd_fdstat_get: () => ERRNO_BADF,
    proc_exit(code) {
      throw new WebAssembly.RuntimeError(`ajs-edge core exited (${code})`);
    },
  };
  const refuse = () => ERRNO_NOSYS;
  return {
    wasi_snapshot_preview1: new Proxy(wasi, { get: (t, k) => t[k] ?? refuse }),
    // Emscripten's STANDALONE_WASM with memory growth tells the host; we re-read memory.buffer
    // after every call instead.
    env: new Proxy({ emscripten_notify_memory_growth() {} }, { get: (t, k) => t[k] ?? refuse }),
  };
}
