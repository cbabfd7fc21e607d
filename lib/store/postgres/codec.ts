// The change-log encoding of mutations (one JSON document per committed batch) and the text forms of the
// snapshot columns. Families use the store's lossless family encoding (lib/store/family-codec.ts), embedded
// as raw JSON rather than as an escaped string. PostgreSQL text cannot hold NUL, and a grouping label value may:
// every text written is JSON, where NUL and lone surrogates are escapes.
import type { LabelPair } from "../../exposition/model";
import { decodeFamilyDocument, encodeFamily } from "../family-codec";
import type { AuditEntry, Mutation, StoredFamily } from "../types";
import { decodeUndoSnapshot, encodeUndoSnapshot } from "../undo-codec";

/** Canonical grouping keys as stored in the key columns (JSON string literals). */
export function keyText(key: string): string {
  return JSON.stringify(key);
}
export function keyFromText(text: string): string {
  return JSON.parse(text) as string;
}

/** A family column value: [timestampMs, family document]. */
export function familyText(sf: StoredFamily): string {
  return encodeFamily(sf.family);
}

// Number fields of mutations are finite (timestamps, histories), except that JSON has no -0/NaN: none occur there.
export function encodeMutations(mutations: Mutation[]): string {
  const parts: string[] = [];
  for (const m of mutations) {
    switch (m.op) {
      case "upsertGroup": {
        const fams = m.families.map((sf) => `[${JSON.stringify(sf.timestampMs)},${encodeFamily(sf.family)}]`).join(",");
        const head = JSON.stringify({ op: "u", k: m.key, l: m.labels, r: m.removedFamilies, h: m.pushHistory, e: m.lastError ?? null });
        // {"op":"u",...} + ,"f":[...]}
        parts.push(`${head.slice(0, -1)},"f":[${fams}]}`);
        break;
      }
      case "deleteGroup":
        parts.push(JSON.stringify({ op: "d", k: m.key }));
        break;
      case "wipe":
        parts.push(`{"op":"w"}`);
        break;
      case "audit":
        parts.push(JSON.stringify({ op: "a", a: m.entries }));
        break;
      case "putUndo":
        parts.push(`{"op":"U","s":${encodeUndoSnapshot(m.snapshot)}}`);
        break;
      case "dropUndo":
        parts.push(JSON.stringify({ op: "D", i: m.id }));
        break;
    }
  }
  return `[${parts.join(",")}]`;
}

interface EncodedUpsert {
  op: "u";
  k: string;
  l: LabelPair[];
  r: string[];
  h: number[];
  e: { timeMs: number; message: string } | null;
  f: Array<[number, unknown]>;
}
type Encoded = EncodedUpsert | { op: "d"; k: string } | { op: "w" } | { op: "a"; a: AuditEntry[] } | { op: "U"; s: unknown } | { op: "D"; i: string };

export function decodeMutations(text: string): Mutation[] {
  const docs = JSON.parse(text) as Encoded[];
  return docs.map((d): Mutation => {
    switch (d.op) {
      case "u":
        return {
          op: "upsertGroup",
          key: d.k,
          labels: d.l,
          removedFamilies: d.r,
          pushHistory: d.h,
          lastError: d.e ?? undefined,
          families: d.f.map(([timestampMs, doc]) => ({ timestampMs, family: decodeFamilyDocument(doc) })),
        };
      case "d":
        return { op: "deleteGroup", key: d.k };
      case "w":
        return { op: "wipe" };
      case "a":
        return { op: "audit", entries: d.a };
      case "U":
        return { op: "putUndo", snapshot: decodeUndoSnapshot(d.s) };
      case "D":
        return { op: "dropUndo", id: d.i };
      default:
        throw new Error(`unknown change-log entry ${JSON.stringify(d)}`);
    }
  });
}
