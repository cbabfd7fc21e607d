// Label names and short label values repeat across series and pushes: sharing one string per distinct text saves
// memory in a store of many series (the text parser and the stored-family decoder both intern). Bounded, so
// adversarial input cannot grow it without limit.
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
