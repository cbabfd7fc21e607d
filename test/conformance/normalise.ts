// Normalisation of the parts of Pushgateway responses that are random, version-specific or implementation-specific
// (docs/compatibility.md: scrape, consistency check), so that the oracle and pushboard can be compared byte for byte on the rest.

export const CONSISTENCY_PREFIX = "pushed metrics are invalid or inconsistent with existing metrics: ";
export const SCRAPE_ERROR_PREFIX = "An error has occurred while serving metrics:\n\n";

/** Families whose (own, runtime) samples differ by implementation (pushboard_* are pushboard's own): only pushed samples (with a `job`) are kept. */
export const RUNTIME_PREFIXES = ["go_", "process_", "nodejs_", "pushboard_"];
const PUSH_TIME_FAMILIES = new Set(["push_time_seconds", "push_failure_time_seconds"]);
const DERIVED_FAMILIES = new Set(["pushboard_group_up", "pushboard_group_expected_interval_seconds"]);

const DUMP_SUFFIXES = [
  " is not a ",
  " was collected before with the same name and label values",
  " has two or more labels with the same name: ",
  " has a label with an invalid name: ",
  ' must not have an explicit "quantile" label',
  " has a label named ",
];

/** One consistency error (no prefix, no multi-error wrapper). */
export function normaliseOneError(e: string): string {
  // Suffix collisions: two wordings depending on the (random) gather order.
  let m = /^collected metric named "(.*)" collides with previously collected (?:summary|histogram) named "(.*)"$/s.exec(e);
  if (!m) m = /^collected (?:histogram or summary|histogram) named "(.*)" collides with previously collected metric named "(.*)"$/s.exec(e);
  if (m) return `<suffix collision between ${JSON.stringify([m[1], m[2]].sort())}>`;
  // `collected metric "x" { <proto text dump> } <what>`: the dump differs between protobuf runtimes and the sample
  // shown is the randomly first offending one; keep the name and what is wrong.
  m = /^collected metric "((?:[^"\\]|\\.)*)" \{/s.exec(e);
  if (m) {
    let best = -1;
    let suffix = "";
    for (const s of DUMP_SUFFIXES) {
      const i = e.lastIndexOf("}" + s);
      if (i > best) {
        best = i;
        suffix = s;
      }
    }
    if (best >= 0) {
      let tail = e.slice(best + 1);
      if (suffix === " is not a ") tail = " is not a <TYPE>"; // which family's type wins is random
      if (suffix === " has a label named ") tail = tail.replace(/ whose value is not utf8: .*$/s, " whose value is not utf8: <value>");
      return `collected metric "${m[1]}" {<dump>}${tail}`;
    }
  }
  return e;
}

/**
 * Error text bodies: consistency errors and scrape errors get their random parts replaced; everything else is kept.
 *
 * Which errors the Go gatherer reports depends on the (random) order in which it meets families: a family that
 * collides with another one by suffix is skipped, so its other errors may or may not appear, and a type conflict
 * flags the samples of whichever groups did not come first. So the comparable form is the *set* of distinct
 * normalised errors, and when a suffix collision is among them, only the base names of the collisions.
 */
export function normaliseErrorBody(body: string, lax = false): string {
  let prefix = "";
  if (body.startsWith(CONSISTENCY_PREFIX)) prefix = CONSISTENCY_PREFIX;
  else if (body.startsWith(SCRAPE_ERROR_PREFIX)) prefix = SCRAPE_ERROR_PREFIX;
  else return body;
  let rest = body.slice(prefix.length);
  let nl = "";
  if (rest.endsWith("\n")) {
    rest = rest.slice(0, -1);
    nl = "\n";
  }
  const multi = /^(\d+) error\(s\) occurred:\n\* /.exec(rest);
  const items = multi ? rest.slice(multi[0].length).split("\n* ") : [rest];
  const collisions: string[][] = [];
  const distinct = new Set<string>();
  for (const item of items) {
    const n = normaliseOneError(item);
    const m = /^<suffix collision between (\[.*\])>$/.exec(n);
    if (m) collisions.push(JSON.parse(m[1]!) as string[]);
    else distinct.add(n);
  }
  if (lax) {
    // Type conflicts between groups: which group's type wins (and so whether the error reads "gathered metric
    // family X has type …" or "collected metric X … is not a …", and which other errors of X show) is random.
    const conflicts = new Set<string>();
    for (const d of distinct) {
      const m = /^collected metric "(.*)" \{<dump>\} is not a <TYPE>$/s.exec(d) ?? /^gathered metric family (\S+) has type /.exec(d);
      if (m) conflicts.add(m[1]!);
    }
    // And whether a family is skipped for a suffix collision before its type conflict is seen is random too.
    if (conflicts.size || collisions.length) return `${prefix}<type conflict or suffix collision>${nl}`;
  }
  if (collisions.length) {
    const bases = [...new Set(collisions.map((pair) => [...pair].sort((a, b) => a.length - b.length)[0]!))].sort();
    return `${prefix}<suffix collision(s) with ${JSON.stringify(bases)}${distinct.size ? " (other errors not compared)" : ""}>${nl}`;
  }
  const list = [...distinct].sort();
  if (list.length === 1) return prefix + list[0]! + nl;
  return `${prefix}<${list.length} distinct errors>:\n* ${list.join("\n* ")}${nl}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text exposition

export interface ParsedSample {
  raw: string;
  name: string;
  labels: [string, string][];
  value: string;
}

export interface ParsedFamily {
  name: string;
  /** Escaped HELP text as printed, undefined when there was no HELP line. */
  help?: string;
  type?: string;
  samples: ParsedSample[];
}

function parseLabels(s: string, i: number): { labels: [string, string][]; end: number } | undefined {
  // s[i] === "{"
  const labels: [string, string][] = [];
  i++;
  for (;;) {
    while (s[i] === " " || s[i] === ",") i++;
    if (s[i] === "}") return { labels, end: i + 1 };
    const nm = /^[^=]+/.exec(s.slice(i));
    if (!nm) return undefined;
    const name = nm[0].trim();
    i += nm[0].length;
    if (s[i] !== "=" || s[i + 1] !== '"') return undefined;
    i += 2;
    let v = "";
    for (;;) {
      const c = s[i];
      if (c === undefined) return undefined;
      if (c === "\\") {
        const n = s[i + 1];
        v += n === "n" ? "\n" : n === undefined ? "" : n;
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        break;
      }
      v += c;
      i++;
    }
    labels.push([name, v]);
  }
}

export function parseSampleLine(line: string): ParsedSample | undefined {
  const nm = /^[^{\s]+/.exec(line);
  if (!nm) return undefined;
  const name = nm[0];
  let i = name.length;
  let labels: [string, string][] = [];
  if (line[i] === "{") {
    const p = parseLabels(line, i);
    if (!p) return undefined;
    labels = p.labels;
    i = p.end;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  return { raw: line, name, labels, value: rest[0] ?? "" };
}

export function parseExposition(text: string): { families: ParsedFamily[]; junk: string[] } {
  const families: ParsedFamily[] = [];
  const junk: string[] = [];
  let cur: ParsedFamily | undefined;
  const get = (name: string): ParsedFamily => {
    if (cur && cur.name === name) return cur;
    cur = { name, samples: [] };
    families.push(cur);
    return cur;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m = /^# HELP (\S+) ?(.*)$/.exec(line);
    if (m) {
      get(m[1]!).help = m[2]!;
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      get(m[1]!).type = m[2]!;
      continue;
    }
    if (line.startsWith("#")) continue;
    const s = parseSampleLine(line);
    if (!s) {
      junk.push(line);
      continue;
    }
    const belongs =
      cur &&
      (s.name === cur.name ||
        ((cur.type === "summary" || cur.type === "histogram") && (s.name === cur.name + "_sum" || s.name === cur.name + "_count")) ||
        (cur.type === "histogram" && s.name === cur.name + "_bucket"));
    if (!belongs) get(s.name);
    cur!.samples.push(s);
  }
  return { families, junk };
}

function bytesLess(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

interface Block {
  key: string;
  base: [string, string][];
  samples: ParsedSample[];
}

/** Go's metric order (docs/compatibility.md: scrape): number of labels, then label values position by position (byte order). */
function compareBase(a: [string, string][], b: [string, string][]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = bytesLess(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
  return 0;
}

export interface MetricsNormaliseOptions {
  /** For each family name, the HELP strings (raw, "" = none) pushed to the different groups (from /api/v1/metrics). */
  pushedHelps?: Map<string, Set<string>>;
  /** "drop": leave out pushgateway_http_* families entirely (their counts depend on history); "labels": keep them
   * with every value masked. */
  httpMetrics?: "drop" | "labels";
}

export function escapeHelp(h: string): string {
  return h.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function renderSample(name: string, labels: [string, string][], value: string): string {
  if (labels.length === 0) return `${name} ${value}`;
  const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
  return `${name}{${labels.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}} ${value}`;
}

/** Normalised `/metrics` text, as lines. */
export function normaliseMetrics(text: string, opts: MetricsNormaliseOptions = {}): string[] {
  const { families, junk } = parseExposition(text);
  const out: string[] = [];
  for (const j of junk) out.push(`# UNPARSABLE ${j}`);
  let prevName: string | undefined;
  for (const f of families) {
    if (prevName !== undefined && bytesLess(prevName, f.name) >= 0) out.push(`# FAMILY ORDER VIOLATION: ${f.name} after ${prevName}`);
    prevName = f.name;
    let samples = f.samples;
    const runtime = RUNTIME_PREFIXES.some((p) => f.name.startsWith(p));
    if (runtime) {
      samples = samples.filter((s) => s.labels.some(([k]) => k === "job"));
      if (samples.length === 0) continue;
    }
    // pushboard's per-group health (a deliberate addition, asserted in test/lifecycle/): not in the oracle.
    if (DERIVED_FAMILIES.has(f.name)) continue;
    const http = f.name.startsWith("pushgateway_http_");
    if (http && (opts.httpMetrics ?? "drop") === "drop") continue;
    const lines: string[] = [];
    // The gateway's own build info differs by implementation (label values) and so does its position among
    // pushed samples of the same name: show it masked, first, and sort only the pushed ones.
    let own: ParsedSample[] = [];
    if (f.name === "pushgateway_build_info") {
      own = samples.filter((s) => !s.labels.some(([k]) => k === "job"));
      samples = samples.filter((s) => s.labels.some(([k]) => k === "job"));
    }
    if (f.help !== undefined || opts.pushedHelps?.has(f.name)) {
      const helps = opts.pushedHelps?.get(f.name);
      const shown = f.help ?? "";
      if (helps && helps.size > 1 && [...helps].some((h) => escapeHelp(h) === shown)) {
        lines.push(`# HELP ${f.name} <one of ${helps.size} pushed HELPs>`);
      } else if (f.help !== undefined) lines.push(`# HELP ${f.name} ${f.help}`);
    }
    lines.push(`# TYPE ${f.name} ${f.type ?? "<none>"}`);
    for (const s of own)
      lines.push(
        renderSample(
          s.name,
          s.labels.map(([k]) => [k, "*"]),
          s.value,
        ),
      );
    // Group into metric blocks (a summary/histogram metric spans several lines).
    const blocks: Block[] = [];
    const byKey = new Map<string, Block>();
    for (const s of samples) {
      const base = s.labels.filter(([k]) => !((f.type === "summary" && k === "quantile") || (f.type === "histogram" && k === "le")));
      const key = JSON.stringify(base);
      let b = byKey.get(key);
      if (!b) {
        b = { key, base, samples: [] };
        byKey.set(key, b);
        blocks.push(b);
      }
      b.samples.push(s);
    }
    for (let i = 1; i < blocks.length; i++) {
      if (compareBase(blocks[i - 1]!.base, blocks[i]!.base) > 0) {
        lines.push(`# SAMPLE ORDER VIOLATION in ${f.name}: ${blocks[i]!.key} after ${blocks[i - 1]!.key}`);
      }
    }
    // Ties in Go's order are broken randomly (unstable sort); break them by the full label set.
    blocks.sort((a, b) => compareBase(a.base, b.base) || bytesLess(a.key, b.key));
    for (const b of blocks) {
      for (const s of b.samples) {
        if (PUSH_TIME_FAMILIES.has(f.name)) {
          lines.push(renderSample(s.name, s.labels, Number(s.value) === 0 ? "0" : "<nonzero>"));
        } else if (http) {
          lines.push(renderSample(s.name, s.labels, "*"));
        } else lines.push(s.raw);
      }
    }
    out.push(...lines);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON API

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const o: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]!);
    return o;
  }
  return v;
}

function isFamily(v: Json): v is { [k: string]: Json } {
  return !!v && typeof v === "object" && !Array.isArray(v) && "metrics" in v && "type" in v;
}

/** The HELP strings pushed per family name across groups (for the random-HELP rule of the merge (docs/compatibility.md: scrape)). */
export function pushedHelps(apiBody: string): Map<string, Set<string>> {
  const res = new Map<string, Set<string>>();
  try {
    const j = JSON.parse(apiBody) as { data?: Json };
    if (!Array.isArray(j.data)) return res;
    for (const g of j.data) {
      if (!g || typeof g !== "object" || Array.isArray(g)) continue;
      for (const [name, fam] of Object.entries(g)) {
        if (!isFamily(fam)) continue;
        const set = res.get(name) ?? new Set<string>();
        set.add(typeof fam.help === "string" ? fam.help : "");
        res.set(name, set);
      }
    }
  } catch {
    /* not JSON */
  }
  return res;
}

/** Normalised `/api/v1/metrics`: groups as a set (sorted by their labels), family time stamps dropped, push_* values
 * reduced to zero / non-zero. */
export function normaliseApiMetrics(body: string): string[] {
  let j: Json;
  try {
    j = JSON.parse(body) as Json;
  } catch {
    return [`<not JSON> ${body}`];
  }
  if (!j || typeof j !== "object" || Array.isArray(j)) return [JSON.stringify(j)];
  const data = j.data;
  const head = { ...j, data: Array.isArray(data) ? `<${data.length} groups>` : data } as Json;
  const out = [JSON.stringify(sortKeys(head))];
  if (!Array.isArray(data)) return out;
  const groups: [string, Json][] = [];
  for (const g of data) {
    if (!g || typeof g !== "object" || Array.isArray(g)) {
      groups.push([JSON.stringify(g), g]);
      continue;
    }
    const ng: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(g)) {
      if (isFamily(v)) {
        const f: { [k: string]: Json } = { ...v };
        if ("time_stamp" in f) f.time_stamp = typeof f.time_stamp === "string" && f.time_stamp !== "" ? "<time>" : f.time_stamp!;
        if (PUSH_TIME_FAMILIES.has(k) && Array.isArray(f.metrics)) {
          f.metrics = f.metrics.map((m) =>
            m && typeof m === "object" && !Array.isArray(m) && typeof m.value === "string" ? { ...m, value: Number(m.value) === 0 ? "0" : "<nonzero>" } : m,
          );
        }
        ng[k] = f;
      } else ng[k] = v;
    }
    groups.push([JSON.stringify(sortKeys(ng.labels ?? null)), sortKeys(ng)]);
  }
  groups.sort((a, b) => bytesLess(a[0], b[0]));
  for (const [key, g] of groups) {
    // One line per family, so that a diff points at the family that differs.
    const o = g && typeof g === "object" && !Array.isArray(g) ? g : {};
    const head: { [k: string]: Json } = {};
    const fams: string[] = [];
    for (const [k, v] of Object.entries(o)) {
      if (isFamily(v)) fams.push(`    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      else head[k] = v;
    }
    out.push(`group ${key}: ${JSON.stringify(head)}`, ...fams);
  }
  return out;
}

/** The flags of /api/v1/status that the Pushgateway 1.5.1 and pushboard both define. */
export const STATUS_FLAGS = [
  "log.format",
  "log.level",
  "persistence.file",
  "persistence.interval",
  "push.disable-consistency-check",
  "web.config.file",
  "web.enable-admin-api",
  "web.enable-lifecycle",
  "web.external-url",
  "web.route-prefix",
  "web.systemd-socket",
  "web.telemetry-path",
];

export function normaliseApiStatus(body: string): string[] {
  let j: Json;
  try {
    j = JSON.parse(body) as Json;
  } catch {
    return [`<not JSON> ${body}`];
  }
  const o = (v: Json | undefined): { [k: string]: Json } => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
  const root = o(j);
  const data = o(root.data);
  const flags = o(data.flags);
  const out = [
    `status=${JSON.stringify(root.status)} keys=${JSON.stringify(Object.keys(root).sort())}`,
    `data keys=${JSON.stringify(Object.keys(data).sort())}`,
    `build_information keys=${JSON.stringify(Object.keys(o(data.build_information)).sort())}`,
    `start_time is ${typeof data.start_time === "string" && !Number.isNaN(Date.parse(data.start_time)) ? "a time" : JSON.stringify(data.start_time)}`,
  ];
  for (const k of STATUS_FLAGS) {
    let v = flags[k];
    if (k === "persistence.file" && typeof v === "string" && v !== "") v = "<file>";
    out.push(`flag ${k}=${v === undefined ? "<missing>" : JSON.stringify(v)}`);
  }
  return out;
}
