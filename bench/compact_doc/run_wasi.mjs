import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
const [file, rounds] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["doc_bench", `/b/${file}`, rounds ?? "200"], preopens: { "/b": "build/bench" }, returnOnExit: true });
const { instance } = await WebAssembly.instantiate(readFileSync(process.env.DOC_BENCH_WASM ?? "build/exp/doc_bench.wasm"), wasi.getImportObject());
wasi.start(instance);
