// Label names and short label values repeat across series and pushes: sharing one string per distinct text saves
// memory in a store of many series (the text parser and the stored-family decoder both intern). Bounded, so
// adversarial input cannot grow it without limit.
import type { LabelPair } from "./model";

const INTERNED = new Map<string, string>();
const INTERN_MAX_LENGTH = 64;
const INTERN_MAX_ENTRIES = 100_000;

export function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const hit = INTERNED.get(s);
  if (hit !== undefined) return hit;
  if (INTERNED.size < INTERN_MAX_ENTRIES) INTERNED.set(s, s);
  return s;
}

// Label pairs repeat too: the same pair (job="x", le="0.5", zone="a") sits on series of many groups. Stored pairs
// are never mutated, so one object per distinct pair serves every stored series that carries it. By name, then
// value (no key string built per lookup); bounded like the strings, and only short names and values are shared.
const PAIRS = new Map<string, Map<string, LabelPair>>();
let pairCount = 0;
const PAIR_MAX_ENTRIES = 100_000;

/** The shared pair name="value" (a new one if it cannot be shared). Must never be mutated. */
export function internPair(name: string, value: string): LabelPair {
  const byValue = PAIRS.get(name);
  if (byValue !== undefined) {
    const hit = byValue.get(value);
    if (hit !== undefined) return hit;
  }
  const pair: LabelPair = { name: intern(name), value: intern(value) };
  if (pairCount >= PAIR_MAX_ENTRIES || name.length > INTERN_MAX_LENGTH || value.length > INTERN_MAX_LENGTH) return pair;
  if (byValue !== undefined) byValue.set(pair.value, pair);
  else PAIRS.set(pair.name, new Map([[pair.value, pair]]));
  pairCount++;
  return pair;
}
