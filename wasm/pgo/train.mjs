// The wasm builds' training run (profile-guided optimization, wasm/pgo/README.md): writes the
// calls for tests/native/abi_host.cpp — configure, then every request of the fidelity corpus
// (tests/support/fidelity_corpus.mjs: what analytics.js, analytics-node and the HTTP API send,
// with every destination on) as the Worker hands it to the core. Deliberately not the benchmark's
// workloads (bench/make_batch.mjs): the profile is real traffic's, not the benchmark's.
// Usage: node wasm/pgo/train.mjs OUT_FILE
import { writeFileSync } from "node:fs";
import { fidelityCorpus } from "../../tests/support/fidelity_corpus.mjs";
import { corpusMeta, fidelityConfig, RECEIVED_AT } from "../../tests/support/fidelity_worker.mjs";
import { encodeMeta } from "../../host-shims/core/meta.mjs";
import { abiHostInput } from "../../tests/native/abi_host_stream.mjs";

const encoder = new TextEncoder();
const GEO = { continent: "EU", country: "NL", region: "North Holland", regionCode: "NH", city: "Amsterdam", postalCode: "1011", timezone: "Europe/Amsterdam", latitude: "52.37", longitude: "4.89", isEUCountry: true };
// The durable path (the default deployment) three times, the direct one once.
const ROUNDS = [{ queue: true }, { queue: true }, { queue: true }, { queue: false }];

const corpus = await fidelityCorpus();
const calls = [{ kind: "c", text: encoder.encode(JSON.stringify(fidelityConfig())) }];
for (const [round, { queue }] of ROUNDS.entries()) {
  for (const [i, r] of corpus.entries()) {
    const seed = ((round * 7919 + i) >>> 0).toString(16).padStart(16, "0");
    const meta = corpusMeta(r, { receivedAt: RECEIVED_AT + i, seed, queue, geo: GEO });
    calls.push({ kind: "h", meta: encodeMeta(meta), body: encoder.encode(r.body) });
  }
}
writeFileSync(process.argv[2], abiHostInput(calls));
