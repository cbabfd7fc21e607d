// CPU time of the dashboard list functions at N groups (issue 17), in process: no HTTP, no Next, so the figure does
// not depend on the shared machine's load. Bundled and run by test/bench/dashboard-list-cpu.mjs.
import { MemoryStore } from "../../lib/store/memory-store";
import { listGroups, listJobs, listStale, parseListParams, matchingSummaries } from "../../lib/dashboard/list";
import type { MetricFamily } from "../../lib/exposition/model";

const N = Number(process.argv.find((a) => a.startsWith("--groups="))?.slice(9) ?? 100_000);
const REPS = Number(process.argv.find((a) => a.startsWith("--reps="))?.slice(7) ?? 10);
const JOBS = 50;

function families(i: number): MetricFamily[] {
  return Array.from({ length: 5 }, (_, k) => ({
    name: `metric_${k}`,
    help: "",
    type: "GAUGE" as const,
    metric: [{ label: [{ name: "kind", value: `k${k}` }], gauge: { value: i * k } }],
  }));
}

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  const store = new MemoryStore();
  await store.load?.();
  const t0 = Date.now();
  const push = (i: number, nowMs: number) =>
    store.submit({
      kind: "put",
      labels: [
        { name: "instance", value: `host-${i}` },
        { name: "job", value: `job${i % JOBS}` },
      ],
      families: families(i),
      check: false,
      nowMs,
    });
  for (let i = 0; i < N; i += 1000) await Promise.all(Array.from({ length: Math.min(1000, N - i) }, (_, k) => push(i + k, t0)));
  for (let i = 0; i < N; i += 5000) await Promise.all(Array.from({ length: Math.min(1000, Math.ceil((N - i) / 5)) }, (_, k) => push(i + k * 5, t0 + 5000)));
  console.log(`${N} groups seeded in ${Date.now() - t0} ms`);
  // --heap: forced full GCs around the first list, to read the heap the dashboard's caches hold. The CPU figures
  // after such a GC come out higher (about 2-3x for the filters, see BENCHMARKS.md), so they are printed as such.
  const gc = process.argv.includes("--heap") ? (globalThis as { gc?: () => void }).gc : undefined;
  const heapMB = () => (gc?.(), process.memoryUsage().heapUsed / 1048576);
  const heap0 = heapMB();
  const ctx = () => ({ defaultStaleAfterMs: 3_600_000, nowMs: Date.now(), adminApi: false });
  const queries = [
    "",
    "sort=lastPush&dir=desc",
    "q=job%3Djob7",
    "q=host-12",
    "q=is%3Astale",
    "groupBy=job&sort=series&dir=desc",
    `page=${Math.floor(N / 100)}`,
    "sort=status",
  ];
  const run = (label: string, fn: () => unknown) => {
    const first = cpuMs(() => fn());
    const xs: number[] = [];
    for (let r = 0; r < REPS; r++) xs.push(cpuMs(() => fn()));
    xs.sort((a, b) => a - b);
    console.log(`${label.padEnd(44)} CPU median ${xs[xs.length >> 1]!.toFixed(2)} ms (min ${xs[0]!.toFixed(2)}, first ${first.toFixed(1)})`);
  };
  listGroups(store, parseListParams(new URLSearchParams("")), ctx());
  const heap1 = heapMB();
  if (gc) console.log("(CPU figures below are after forced full GCs)");
  for (const q of queries) run(`listGroups ${q || "(default)"}`, () => listGroups(store, parseListParams(new URLSearchParams(q)), ctx()));
  if (gc)
    console.log(
      `heap: +${(heap1 - heap0).toFixed(1)} MB after the first list (GroupBase per group + list index), +${(heapMB() - heap0).toFixed(1)} MB with the orders above cached`,
    );
  run("listJobs", () => listJobs(store, ctx()));
  run("listStale", () => listStale(store, ctx()));
  run("matchingSummaries job=job0", () => matchingSummaries(store, "job=job0", ctx()));
  // While pushes continue: 100 groups replaced before each list request.
  let k = 0;
  const xs: number[] = [];
  for (let r = 0; r < REPS; r++) {
    await Promise.all(Array.from({ length: 100 }, () => push((k++ * 997) % N, Date.now())));
    xs.push(cpuMs(() => listGroups(store, parseListParams(new URLSearchParams("")), ctx())));
  }
  xs.sort((a, b) => a - b);
  console.log(`${"listGroups (default) after 100 pushes".padEnd(44)} CPU median ${xs[xs.length >> 1]!.toFixed(2)} ms (min ${xs[0]!.toFixed(2)})`);
  const ys: number[] = [];
  for (let r = 0; r < REPS; r++) {
    await Promise.all(Array.from({ length: 100 }, () => push((k++ * 997) % N, Date.now())));
    ys.push(cpuMs(() => listGroups(store, parseListParams(new URLSearchParams("sort=lastPush&dir=desc&q=host-12")), ctx())));
  }
  ys.sort((a, b) => a - b);
  console.log(`${"listGroups lastPush desc q=host-12 after 100 pushes".padEnd(44)} CPU median ${ys[ys.length >> 1]!.toFixed(2)} ms (min ${ys[0]!.toFixed(2)})`);
  await store.close();
}

void main();
