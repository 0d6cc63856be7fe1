// A V8 CPU profile (the inspector's Profiler.stop result) as shares of its time, by frame: what
// bench/profile_wasm.mjs (the core in Node) and bench/profile_worker.mjs (the Worker in workerd)
// print.
// Self and inclusive shares of the samples, by frame name.
export function shares(profile, nameOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = profile.timeDeltas[k];
    total += dt;
    self.set(nameOf(byId.get(id)), (self.get(nameOf(byId.get(id))) ?? 0) + dt);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const name = nameOf(byId.get(x));
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      seen.add(name);
    }
  });
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 140)}`);
  return { self: top(self), inclusive: top(inclusive) };
}

