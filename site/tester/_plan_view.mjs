// @ts-check
// What the tester shows, as data: the event box read as JSON, and a plan (Planner.plan's result)
// arranged per destination of the chosen source. No DOM here (tests/core/browser_pages.test.mjs).

// The event box's text → {ok: true, value} or {ok: false, message} naming the line and column.
export function parseEventText(text) {
  if (text.trim() === "") return { ok: false, message: "The event box is empty: pick a preset or paste a Segment message." };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const detail = String(e?.message ?? e);
    const at = /position (\d+)/.exec(detail);
    let where = "";
    if (at && !/\(line \d+ column \d+\)/.test(detail)) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split("\n").length;
      const column = before.length - before.lastIndexOf("\n");
      where = ` (line ${line}, column ${column})`;
    }
    return { ok: false, message: `Not valid JSON: ${detail}${where}. Nothing is planned until it is.` };
  }
}

// The plan per destination of `source` (configured order), then any other destination a call or
// note names; notes without a destination (about the whole message) come apart.
// → {sections: [{key, name, calls, notes}], messageNotes}
export function planSections(source, result) {
  const sections = new Map();
  for (const d of source?.destinations ?? []) sections.set(d.key, { key: d.key, name: d.catalogName || d.key, calls: [], notes: [] });
  const section = (key) => {
    if (!sections.has(key)) sections.set(key, { key, name: key, calls: [], notes: [] });
    return sections.get(key);
  };
  for (const call of result.calls) section(call.destination).calls.push(call);
  const messageNotes = [];
  for (const note of result.notes) (note.destination ? section(note.destination).notes : messageNotes).push(note);
  return { sections: [...sections.values()], messageNotes };
}

// "1 call", "3 calls", "no call"
export const callCount = (n) => (n === 0 ? "no call" : `${n} call${n === 1 ? "" : "s"}`);
