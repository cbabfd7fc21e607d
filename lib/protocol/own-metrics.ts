// The server's own metrics (docs/compatibility.md: own metrics): the pushgateway_* families with the Pushgateway's names, types,
// labels and HELP, plus Node.js process metrics from prom-client. They are exposed on the same scrape and take
// part in the consistency check like the Pushgateway's own metrics do.
import { Counter, Gauge, Registry, Summary, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { Metric, MetricFamily, MetricType } from "../exposition/model";
import type { OwnFamilyInfo } from "../consistency/check-push";

const TYPE_OF: Record<string, MetricType> = { counter: "COUNTER", gauge: "GAUGE", summary: "SUMMARY", histogram: "HISTOGRAM" };

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
}

/** Process and Node.js runtime metrics are sampled at most this often (reading /proc costs ~1.5 ms per scrape). */
const RUNTIME_METRICS_TTL_MS = 1000;

export class OwnMetrics {
  readonly registry = new Registry();
  private readonly runtimeRegistry = new Registry();
  private runtimeCache: { atMs: number; families: Promise<MetricFamily[]> } | undefined;
  readonly requests: Counter<"code" | "handler" | "method">;
  readonly pushDuration: Summary<"method">;
  readonly pushSize: Summary<"method">;
  readonly groupsExpired: Counter<"rule">;
  readonly familiesExpired: Counter<"rule">;
  readonly rejectedPushes: Counter<"reason">;
  private catalog = new Map<string, OwnFamilyInfo>();
  /** Read at each scrape for pushboard_storage_*; set once the store exists. */
  storageStatus: () => { errors: number; failing: unknown } = () => ({ errors: 0, failing: null });
  /** When the pushed groups were last scraped (Unix ms), for the status page; null before the first scrape. */
  lastScrapeMs: number | null = null;

  constructor(build: BuildInfo) {
    const registers = [this.registry];
    const info = new Gauge({
      name: "pushgateway_build_info",
      help: "A metric with a constant '1' value labeled by version, revision, branch, goversion from which pushgateway was built, and the goos and goarch for the build.",
      labelNames: ["branch", "goarch", "goos", "goversion", "revision", "version"],
      registers,
    });
    info.set(
      {
        branch: build.branch,
        goarch: goArch(process.arch),
        goos: process.platform,
        goversion: `node${process.versions.node}`,
        revision: build.revision,
        version: build.version,
      },
      1,
    );
    this.requests = new Counter({
      name: "pushgateway_http_requests_total",
      help: "Total HTTP requests processed by the Pushgateway, excluding scrapes.",
      labelNames: ["code", "handler", "method"],
      registers,
    });
    const objectives = { percentiles: [0.1, 0.5, 0.9], maxAgeSeconds: 600, ageBuckets: 5 };
    this.pushDuration = new Summary({
      name: "pushgateway_http_push_duration_seconds",
      help: "HTTP request duration for pushes to the Pushgateway.",
      labelNames: ["method"],
      registers,
      ...objectives,
    });
    this.pushSize = new Summary({
      name: "pushgateway_http_push_size_bytes",
      help: "HTTP request size for pushes to the Pushgateway.",
      labelNames: ["method"],
      registers,
      ...objectives,
    });
    this.groupsExpired = new Counter({
      name: "pushboard_groups_expired_total",
      help: "Groups deleted by a lifecycle rule's expire_after, by rule index.",
      labelNames: ["rule"],
      registers,
    });
    this.familiesExpired = new Counter({
      name: "pushboard_families_expired_total",
      help: "Families deleted from live groups by a lifecycle rule's expire_families_after, by rule index.",
      labelNames: ["rule"],
      registers,
    });
    this.rejectedPushes = new Counter({
      name: "pushboard_rejected_pushes_total",
      help: "Pushes refused by a limit (body size, series, labels, storage capacity, rate), by reason.",
      labelNames: ["reason"],
      registers,
    });
    // pushboard's own: a disk that is full or failing shows here (and in /-/ready and on the status page).
    const storageStatus = () => this.storageStatus();
    new Counter({
      name: "pushboard_storage_errors_total",
      help: "Commits the storage refused (disk full, I/O error); the writes in them were answered 500 and not applied.",
      registers,
      collect() {
        this.reset();
        this.inc(storageStatus().errors);
      },
    });
    new Gauge({
      name: "pushboard_storage_failing",
      help: "1 while the last commit to the storage failed (until a commit succeeds), else 0.",
      registers,
      collect() {
        this.set(storageStatus().failing ? 1 : 0);
      },
    });
    collectDefaultMetrics({ register: this.runtimeRegistry });
  }

  /** Records the HELP and TYPE of every own family; families with samples now get "predefined help". */
  async init(): Promise<void> {
    for (const f of await this.families()) {
      this.catalog.set(f.name, { type: f.type, help: f.help, predefinedHelp: f.metric.length > 0 });
    }
    for (const registry of [this.registry, this.runtimeRegistry]) {
      for (const m of await registry.getMetricsAsJSON()) {
        if (!this.catalog.has(m.name)) this.catalog.set(m.name, { type: TYPE_OF[String(m.type)] ?? "UNTYPED", help: m.help, predefinedHelp: false });
      }
    }
  }

  info(name: string): OwnFamilyInfo | undefined {
    return this.catalog.get(name);
  }

  /** Current own families in the metric model (families without samples included, with no metrics). */
  async families(): Promise<MetricFamily[]> {
    const now = performance.now();
    if (!this.runtimeCache || now - this.runtimeCache.atMs > RUNTIME_METRICS_TTL_MS) {
      this.runtimeCache = { atMs: now, families: familiesOf(this.runtimeRegistry) };
    }
    const [own, runtime] = await Promise.all([familiesOf(this.registry), this.runtimeCache.families]);
    return [...own, ...runtime];
  }
}

async function familiesOf(registry: Registry): Promise<MetricFamily[]> {
  const json = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
  return json.map(toFamily);
}

function goArch(arch: string): string {
  return arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
}

function labelsOf(labels: Record<string, string | number>, skip?: string): Metric["label"] {
  return Object.keys(labels)
    .filter((k) => k !== skip)
    .sort()
    .map((k) => ({ name: k, value: String(labels[k]) }));
}

function keyOf(labels: Metric["label"]): string {
  return labels.map((l) => `${l.name}\xff${l.value}`).join("\xff");
}

/** Converts prom-client's JSON form (one row per exposed line) to a MetricFamily. */
function toFamily(m: MetricObjectWithValues<MetricValue<string>>): MetricFamily {
  const type = TYPE_OF[String(m.type)] ?? "UNTYPED";
  const family: MetricFamily = { name: m.name, help: m.help, type, metric: [] };
  if (type === "COUNTER" || type === "GAUGE" || type === "UNTYPED") {
    for (const v of m.values) {
      const metric: Metric = { label: labelsOf(v.labels as Record<string, string | number>) };
      if (type === "COUNTER") metric.counter = { value: v.value };
      else if (type === "GAUGE") metric.gauge = { value: v.value };
      else metric.untyped = { value: v.value };
      family.metric.push(metric);
    }
    return family;
  }
  const byKey = new Map<string, Metric>();
  const special = type === "SUMMARY" ? "quantile" : "le";
  for (const v of m.values as Array<MetricValue<string> & { metricName?: string }>) {
    const labels = v.labels as Record<string, string | number>;
    const label = labelsOf(labels, special);
    const key = keyOf(label);
    let metric = byKey.get(key);
    if (!metric) {
      metric = { label };
      if (type === "SUMMARY") metric.summary = { sampleCount: 0, sampleSum: 0, quantile: [] };
      else metric.histogram = { sampleCount: 0, sampleSum: 0, bucket: [] };
      byKey.set(key, metric);
      family.metric.push(metric);
    }
    const suffix = v.metricName?.slice(m.name.length) ?? "";
    const agg = metric.summary ?? metric.histogram!;
    if (suffix === "_sum") agg.sampleSum = v.value;
    else if (suffix === "_count") agg.sampleCount = v.value;
    else if (metric.summary) metric.summary.quantile.push({ quantile: Number(labels.quantile), value: v.value });
    else {
      const le = labels.le === "+Inf" ? Infinity : Number(labels.le);
      metric.histogram!.bucket.push({ upperBound: le, cumulativeCount: v.value });
    }
  }
  return family;
}
