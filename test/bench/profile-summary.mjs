#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, top by inclusive time, and
// self time per source file. Used to explain where pushboard's time goes when a bench target is missed.
//   node test/bench/profile-summary.mjs FILE.cpuprofile [--top=25]
import { readFileSync } from "node:fs";
import path from "node:path";

const file = process.argv[2];
if (!file) {
  console.error("usage: node test/bench/profile-summary.mjs FILE.cpuprofile [--top=25]");
  process.exit(2);
}
const top = Number(process.argv.find((a) => a.startsWith("--top="))?.slice(6) ?? 25);
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (u) => {
  if (!u) return "";
  const s = u.replace(/^file:\/\//, "");
  const i = s.indexOf("node_modules/");
  if (i >= 0) return s.slice(i);
  if (s.includes("/.next/")) return s.slice(s.indexOf("/.next/") + 1);
  return s.startsWith("node:") ? s : path.basename(s);
};
const key = (n) => {
  const f = n.callFrame;
  const name = f.functionName || "(anonymous)";
  return f.url ? `${name}  ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
};

const self = new Map();
const incl = new Map();
const perFile = new Map();
let total = 0;
let idle = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0) / 1000; // ms attributed to this sample
  const n = byId.get(prof.samples[i]);
  total += dt;
  if (n.callFrame.functionName === "(idle)") {
    idle += dt;
    continue;
  }
  const k = key(n);
  self.set(k, (self.get(k) ?? 0) + dt);
  const f = n.callFrame.url ? shortUrl(n.callFrame.url).replace(/:\d+$/, "") : n.callFrame.functionName;
  perFile.set(f, (perFile.get(f) ?? 0) + dt);
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const kk = key(byId.get(id));
    if (seen.has(kk)) continue;
    seen.add(kk);
    incl.set(kk, (incl.get(kk) ?? 0) + dt);
  }
}
const busy = total - idle;
const pct = (x) => `${((100 * x) / busy).toFixed(1).padStart(5)}%`;
const list = (m, n) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${pct(v)}  ${k}`)
    .join("\n");
console.log(
  `${file}: ${(total / 1000).toFixed(1)} s sampled, ${(idle / 1000).toFixed(1)} s idle, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`,
);
console.log(`\ntop ${top} by self time:\n${list(self, top)}`);
console.log(`\ntop ${top} by inclusive time:\n${list(incl, top)}`);
console.log(`\nself time by file:\n${list(perFile, 15)}`);
