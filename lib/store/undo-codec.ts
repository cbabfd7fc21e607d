// The text form of an undo snapshot, shared by every durable backend (SQLite row, PostgreSQL row and change log):
// one JSON document whose families use the store's lossless family encoding (NaN, ±Inf, -0 kept), embedded raw.
//   {"i": id, "o": operation|null, "t": timeMs, "p": partial, "g": [{"k": key, "l": labels, "h": pushHistory,
//    "e": lastError|null, "f": [[timestampMs, familyDocument], ...]}, ...]}
// Keys and label values may hold NUL or lone surrogates: JSON escapes both, so the text is valid PostgreSQL text.
import { decodeFamilyDocument, encodeFamily } from "./sqlite-persistence";
import type { LabelPair } from "../exposition/model";
import type { PersistedGroup, UndoSnapshot } from "./types";

export function encodeUndoSnapshot(s: UndoSnapshot): string {
  const groups = s.groups.map((g) => {
    const head = JSON.stringify({ k: g.key, l: g.labels, h: g.pushHistory, e: g.lastError ?? null });
    const fams = g.families.map((sf) => `[${JSON.stringify(sf.timestampMs)},${encodeFamily(sf.family)}]`).join(",");
    return `${head.slice(0, -1)},"f":[${fams}]}`;
  });
  const head = JSON.stringify({ i: s.id, o: s.operation ?? null, t: s.timeMs, p: s.partial });
  return `${head.slice(0, -1)},"g":[${groups.join(",")}]}`;
}

interface EncodedGroup {
  k: string;
  l: LabelPair[];
  h: number[];
  e: { timeMs: number; message: string } | null;
  f: Array<[number, unknown]>;
}

/** Inverse of encodeUndoSnapshot, for the text or the already parsed document. */
export function decodeUndoSnapshot(data: string | unknown): UndoSnapshot {
  const d = (typeof data === "string" ? JSON.parse(data) : data) as { i: string; o: string | null; t: number; p: boolean; g: EncodedGroup[] };
  const groups = d.g.map((g): PersistedGroup => {
    const pg: PersistedGroup = {
      key: g.k,
      labels: g.l,
      pushHistory: g.h,
      families: g.f.map(([timestampMs, doc]) => ({ timestampMs, family: decodeFamilyDocument(doc) })),
    };
    if (g.e) pg.lastError = g.e;
    return pg;
  });
  const s: UndoSnapshot = { id: d.i, timeMs: d.t, partial: d.p, groups };
  if (d.o !== null) s.operation = d.o;
  return s;
}
