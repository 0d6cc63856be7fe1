// @ts-check
// The stream tests/native/abi_host.cpp reads and writes (its header has the layout): calls in,
// one record a call out. Used by the build parity test and by the wasm builds' profile training
// (wasm/pgo/train.mjs).

/** @param {number} n */
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/**
 * @param {({kind: "c", text: Uint8Array} | {kind: "h", meta: Uint8Array, body: Uint8Array})[]} calls
 * @returns {Buffer} abi_host's input for them, in order
 */
export function abiHostInput(calls) {
  return Buffer.concat(
    calls.flatMap((c) => (c.kind === "c" ? [Buffer.from("c"), u32(c.text.length), c.text] : [Buffer.from("h"), u32(c.meta.length), c.meta, u32(c.body.length), c.body])),
  );
}

/**
 * @param {Buffer} output abi_host's standard output
 * @returns {{rc: number, out: Buffer}[]} one record a call, in order
 */
export function abiHostRecords(output) {
  const records = [];
  for (let at = 0; at < output.length; ) {
    const length = output.readUInt32LE(at + 4);
    records.push({ rc: output.readInt32LE(at), out: output.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return records;
}
