// @ts-check
// Client of the payload store (payloads_do.mjs, binding DELIVERY_PAYLOADS): a reference is
// "<shard>:<uuid>", the shard naming one of a few objects so that large batches spread out, or
// "<jurisdiction>.<shard>:<uuid>" for a chain of a source kept in a jurisdiction (residency.mjs).
import { jurisdictionOfCalls, objectIn } from "./residency.mjs";

const SHARDS = 8;

// The jurisdiction a reference's chain is kept in (null: the default one).
export function jurisdictionOfRef(ref) {
  const shard = String(ref).split(":")[0];
  const dot = shard.indexOf(".");
  return dot < 0 ? null : shard.slice(0, dot);
}

function stub(env, ref) {
  const shard = ref.split(":")[0];
  return objectIn(env.DELIVERY_PAYLOADS, jurisdictionOfRef(ref), `payloads-${shard.slice(shard.indexOf(".") + 1)}`);
}

export const hasPayloadStore = (env) => !!env?.DELIVERY_PAYLOADS;

export async function putPayload(env, chain) {
  const jurisdiction = jurisdictionOfCalls(chain.calls);
  const ref = `${jurisdiction ? `${jurisdiction}.` : ""}${Math.floor(Math.random() * SHARDS)}:${crypto.randomUUID()}`;
  await stub(env, ref).put(ref, JSON.stringify(chain));
  return ref;
}

export async function getPayload(env, ref) {
  const text = await stub(env, ref).get(ref);
  return text === null ? null : JSON.parse(text);
}

// Restarts a stored chain's clock (a dead letter now points at it): kept payloadKeepMs from now.
export async function touchPayload(env, ref) {
  await stub(env, ref).touch(ref);
}

export async function deletePayload(env, ref) {
  await stub(env, ref).delete(ref);
}
