// Lifecycle rules (--lifecycle.config.file): which groups have a declared cadence and which expire.
//
//   rules:
//     - match: '{job="nightly-backup"}'   # a series selector over the grouping labels (selector.ts)
//       expect_every: 24h                 # declared cadence: drives pushboard_group_up and the dashboard
//     - match: '{job=~"ci-.*", env!="prod"}'
//       expire_after: 6h                  # delete the group 6h after its last push attempt
//     - match: '{job="etl"}'
//       expire_families_after: 7d         # delete a family of a live group not written for 7d
//
// For each setting, the first rule that matches the group and sets it wins. Nothing expires without a rule.
// A bad file is an error naming the file and line; the caller decides whether that refuses a start or keeps
// the previous rules (a reload).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import { parsePrometheusDuration, DurationError } from "./prom-duration";
import { parseSelector, SelectorError, type Selector } from "./selector";

export interface LifecycleRule {
  /** Position in the file, from 0: the `rule` label of pushboard_groups_expired_total. */
  index: number;
  /** 1-based line of the rule in its file. */
  line: number;
  match: Selector;
  expectEveryMs?: number;
  expireAfterMs?: number;
  expireFamiliesAfterMs?: number;
}

export interface LifecycleRules {
  rules: readonly LifecycleRule[];
  /** Where the rules came from (a path), for messages; "" when there are none. */
  source: string;
}

export const NO_RULES: LifecycleRules = { rules: [], source: "" };

export class LifecycleConfigError extends Error {}

/** A setting resolved for one group, with the rule it came from. */
export interface ResolvedSetting {
  ms: number;
  rule: LifecycleRule;
}

export interface ResolvedLifecycle {
  expectEvery?: ResolvedSetting;
  expireAfter?: ResolvedSetting;
  expireFamiliesAfter?: ResolvedSetting;
}

const RULE_KEYS = new Set(["match", "expect_every", "expire_after", "expire_families_after"]);

/** Parses the YAML text of a lifecycle file; throws LifecycleConfigError("<file>:<line>: …"). */
export function parseLifecycleConfig(text: string, source: string): LifecycleRules {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (line: number, msg: string): never => {
    throw new LifecycleConfigError(`${source}:${line}: ${msg}`);
  };
  const first = doc.errors[0];
  if (first) fail(first.linePos?.[0]?.line ?? 1, first.message.split("\n")[0]!);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return { rules: [], source };
  if (!isMap(root)) fail(lineOf(root), 'expected a mapping with the key "rules"');
  const rootMap = root as YAMLMap;
  for (const pair of rootMap.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key !== "rules") fail(lineOf(pair.key as Node), `unknown key ${JSON.stringify(key)} (expected "rules")`);
  }
  const rulesNode = rootMap.get("rules", true) as Node | undefined;
  if (rulesNode === undefined || (isScalar(rulesNode) && rulesNode.value === null)) return { rules: [], source };
  if (!isSeq(rulesNode)) fail(lineOf(rulesNode), '"rules" must be a list');
  const rules: LifecycleRule[] = [];
  for (const [index, item] of (rulesNode as YAMLSeq).items.entries()) {
    const line = lineOf(item as Node);
    if (!isMap(item)) fail(line, `rule ${index}: expected a mapping with "match" and a setting`);
    const m = item as YAMLMap;
    const rule: Partial<LifecycleRule> & { index: number; line: number } = { index, line };
    for (const pair of m.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const keyLine = lineOf(pair.key as Node);
      if (!RULE_KEYS.has(key))
        fail(keyLine, `rule ${index}: unknown key ${JSON.stringify(key)} (expected match, expect_every, expire_after or expire_families_after)`);
      const valueNode = pair.value as Node | null;
      if (!isScalar(valueNode) || (typeof valueNode.value !== "string" && typeof valueNode.value !== "number")) {
        fail(lineOf(valueNode) || keyLine, `rule ${index}: ${key} must be a string`);
      }
      const value = String((valueNode as Scalar).value);
      const valueLine = lineOf(valueNode);
      try {
        if (key === "match") rule.match = parseSelector(value);
        else {
          const ms = parsePrometheusDuration(value);
          if (ms <= 0) fail(valueLine, `rule ${index}: ${key} must be longer than 0`);
          if (key === "expect_every") rule.expectEveryMs = ms;
          else if (key === "expire_after") rule.expireAfterMs = ms;
          else rule.expireFamiliesAfterMs = ms;
        }
      } catch (err) {
        if (err instanceof SelectorError || err instanceof DurationError) fail(valueLine, `rule ${index}: ${key}: ${err.message}`);
        throw err;
      }
    }
    if (!rule.match) fail(line, `rule ${index}: "match" is required`);
    if (rule.expectEveryMs === undefined && rule.expireAfterMs === undefined && rule.expireFamiliesAfterMs === undefined) {
      fail(line, `rule ${index}: sets nothing (give expect_every, expire_after or expire_families_after)`);
    }
    rules.push(rule as LifecycleRule);
  }
  return { rules, source };
}

/** For each setting, the first rule that matches the labels and sets it. */
export function resolveLifecycle(rules: LifecycleRules, labels: ReadonlyMap<string, string>): ResolvedLifecycle {
  const out: ResolvedLifecycle = {};
  for (const rule of rules.rules) {
    if (out.expectEvery && out.expireAfter && out.expireFamiliesAfter) break;
    const wantsCadence = !out.expectEvery && rule.expectEveryMs !== undefined;
    const wantsExpiry = !out.expireAfter && rule.expireAfterMs !== undefined;
    const wantsFamilyExpiry = !out.expireFamiliesAfter && rule.expireFamiliesAfterMs !== undefined;
    if ((!wantsCadence && !wantsExpiry && !wantsFamilyExpiry) || !rule.match.matches(labels)) continue;
    if (wantsCadence) out.expectEvery = { ms: rule.expectEveryMs!, rule };
    if (wantsExpiry) out.expireAfter = { ms: rule.expireAfterMs!, rule };
    if (wantsFamilyExpiry) out.expireFamiliesAfter = { ms: rule.expireFamiliesAfterMs!, rule };
  }
  return out;
}
