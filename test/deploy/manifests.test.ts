// The Kubernetes manifests in deploy/kubernetes/: every object valid against the Kubernetes and
// prometheus-operator schemas (kubernetes-models, no cluster), every kustomization listing exactly its files, the
// invariants of each variant (single: the seed's shape on SQLite; ha: PostgreSQL, rolling, spread; monitoring),
// and every container argument a real pushboard flag (the project's own parser).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { parseFlags } from "@/lib/config/flags";
import { ROOT } from "../helpers/servers";

const DEPLOY = path.join(ROOT, "deploy/kubernetes");
/**
 * The path that serves only a replica's own metrics (not the pushed groups), for per-pod scraping in HA.
 * pushboard's --web.own-metrics-path default (lib/config/flags.ts); the two manifests that use it must agree.
 */
const OWN_METRICS_PATH = "/metrics/own";

// Loose shapes: the schemas validate the objects, these types only let the assertions read them.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any };
interface Loaded {
  file: string;
  obj: Obj;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (e.name.endsWith(".yaml")) out.push(p);
  }
  return out.sort();
}

function loadAll(file: string): Obj[] {
  return YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJSON() as Obj;
  });
}

const manifests: Loaded[] = yamlFiles(DEPLOY)
  .filter((f) => path.basename(f) !== "kustomization.yaml")
  .flatMap((file) => loadAll(file).map((obj) => ({ file: path.relative(DEPLOY, file), obj })));

function inDir(dir: string): Obj[] {
  return manifests.filter((m) => path.dirname(m.file) === dir).map((m) => m.obj);
}
function one(dir: string, kind: string, name?: string): Obj {
  const found = inDir(dir).filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(
    found.map((o) => o.metadata.name),
    `${dir}: ${kind} ${name ?? ""}`,
  ).toHaveLength(1);
  return found[0]!;
}

/** The model class of an object, from kubernetes-models or @kubernetes-models/prometheus-operator. */
async function modelOf(apiVersion: string, kind: string): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const mod: Record<string, unknown> =
    group === "monitoring.coreos.com"
      ? await import(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`)
      : group === ""
        ? await import(`kubernetes-models/${version}`)
        : await import(`kubernetes-models/${group}/${version}`);
  const model = mod[kind];
  if (typeof model !== "function") throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model as new (data: unknown) => { validate(): void };
}

describe("deploy/kubernetes: schemas and kustomizations", () => {
  it("finds the objects of every variant", () => {
    expect(manifests.length).toBeGreaterThanOrEqual(11);
    for (const dir of ["single", "ha", "monitoring", "monitoring/ha", "monitoring/rules"]) expect(inDir(dir).length, dir).toBeGreaterThan(0);
  });

  it("validates every object against the Kubernetes and prometheus-operator schemas", async () => {
    for (const { file, obj } of manifests) {
      const Model = await modelOf(obj.apiVersion, obj.kind);
      expect(() => new Model(obj).validate(), `${file}: ${obj.kind} ${obj.metadata?.name}`).not.toThrow();
    }
  });

  it("the schema check is real: it rejects the seed's Deployment, which lacks spec.selector", async () => {
    const seed = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "pushgateway" },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: "pushgateway" } },
          spec: { containers: [{ name: "pushgateway", image: "prom/pushgateway", ports: [{ containerPort: 9091 }] }] },
        },
      },
    };
    const Model = await modelOf("apps/v1", "Deployment");
    expect(() => new Model(seed).validate()).toThrow(/selector/);
  });

  it("every kustomization lists exactly the manifests and sub-kustomizations beside it", () => {
    const kustomizations = yamlFiles(DEPLOY).filter((f) => path.basename(f) === "kustomization.yaml");
    expect(kustomizations.map((f) => path.relative(DEPLOY, path.dirname(f))).sort()).toEqual([
      "ha",
      "monitoring",
      "monitoring/ha",
      "monitoring/rules",
      "single",
    ]);
    for (const k of kustomizations) {
      const dir = path.dirname(k);
      const doc = YAML.parse(readFileSync(k, "utf8")) as { apiVersion: string; kind: string; resources: string[] };
      expect(doc.apiVersion).toBe("kustomize.config.k8s.io/v1beta1");
      expect(doc.kind).toBe("Kustomization");
      const beside = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
      const files = doc.resources.filter((r) => r.endsWith(".yaml"));
      expect(files.sort(), k).toEqual(beside.sort());
      for (const r of doc.resources.filter((r) => !r.endsWith(".yaml"))) {
        expect(statSync(path.join(dir, r, "kustomization.yaml")).isFile(), `${k}: ${r}`).toBe(true);
      }
    }
  });

  it("no manifest carries a password or a database URL", () => {
    for (const f of yamlFiles(DEPLOY)) {
      const text = readFileSync(f, "utf8").replace(/^\s*#.*$/gm, "");
      expect(text, f).not.toMatch(/postgres(ql)?:\/\//i);
      expect(text, f).not.toMatch(/password/i);
      expect(
        inDir(path.relative(DEPLOY, path.dirname(f))).some((o) => o.kind === "Secret"),
        f,
      ).toBe(false);
    }
  });
});

/** Checks shared by both Deployments: the pod shape the Helm chart's conventions ask for. */
function checkPod(dep: Obj): any {
  const pod = dep.spec.template.spec;
  expect(dep.spec.selector.matchLabels).toEqual({ app: "pushgateway" });
  expect(dep.spec.template.metadata.labels.app).toBe("pushgateway");
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    fsGroup: 65534,
    seccompProfile: { type: "RuntimeDefault" },
  });
  expect(pod.containers).toHaveLength(1);
  const c = pod.containers[0];
  expect(c.ports).toEqual([{ name: "metrics", containerPort: 9091, protocol: "TCP" }]);
  expect(c.livenessProbe.httpGet).toEqual({ path: "/-/healthy", port: "metrics" });
  expect(c.readinessProbe.httpGet).toEqual({ path: "/-/ready", port: "metrics" });
  expect(c.resources.requests.cpu).toBeDefined();
  expect(c.resources.requests.memory).toBeDefined();
  expect(c.securityContext).toMatchObject({
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  });
  // With a read-only root, /tmp is an emptyDir: the only writable place besides the store.
  const tmp = c.volumeMounts.find((m: any) => m.mountPath === "/tmp");
  expect(pod.volumes.find((v: any) => v.name === tmp.name).emptyDir).toBeDefined();
  return c;
}

/** The container's flags through pushboard's own parser, with the container's environment. */
function parseContainerFlags(c: any) {
  const env: Record<string, string> = {};
  // A value from a Secret is unknown here: stand in a well-formed URL (the parser validates its shape).
  for (const e of c.env ?? [])
    env[e.name] = e.value ?? (e.name === "PUSHBOARD_POSTGRES_URL" ? "postgres://pushboard:secret@postgres:5432/pushboard" : "from-secret");
  for (const a of c.args ?? []) expect(a, "flags are --name=value, one per item").toMatch(/^--[a-z][a-z0-9.-]*(=.*)?$/);
  const action = parseFlags(c.args ?? [], env);
  expect(action.kind).toBe("serve");
  if (action.kind !== "serve") throw new Error("unreachable");
  return action.config;
}

describe("deploy/kubernetes/single: the seed's Deployment and headless Service, on SQLite", () => {
  const dep = one("single", "Deployment", "pushgateway");
  const svc = one("single", "Service", "pushgateway");

  it("one replica, Recreate (two pods must never open one SQLite file)", () => {
    expect(dep.metadata.labels).toMatchObject({ app: "pushgateway" });
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy).toEqual({ type: "Recreate" });
    checkPod(dep);
  });

  it("keeps the store on a PersistentVolumeClaim mounted where --persistence.file points", () => {
    const c = checkPod(dep);
    const config = parseContainerFlags(c);
    expect(config.storageBackend).toBe("sqlite");
    const data = c.volumeMounts.find((m: any) => config.persistenceFile.startsWith(m.mountPath + "/"));
    expect(data, config.persistenceFile).toBeDefined();
    const claim = dep.spec.template.spec.volumes.find((v: any) => v.name === data.name).persistentVolumeClaim.claimName;
    const pvc = one("single", "PersistentVolumeClaim", claim);
    expect(pvc.spec.accessModes).toEqual(["ReadWriteOnce"]);
  });

  it("is reached by the seed's URLs: headless Service pushgateway on 9091", () => {
    expect(svc.spec.clusterIP).toBe("None");
    expect(svc.spec.selector).toEqual({ app: "pushgateway" });
    // Headless: clients connect to the pod's own port, so the Service port must be the container port.
    expect(svc.spec.ports).toEqual([{ name: "http", port: 9091, targetPort: "metrics", protocol: "TCP" }]);
  });
});

describe("deploy/kubernetes/ha: three replicas on PostgreSQL", () => {
  const dep = one("ha", "Deployment", "pushgateway");

  it("three replicas, rolling without ever dropping below three ready", () => {
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.strategy.type).toBe("RollingUpdate");
    expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(dep.spec.strategy.rollingUpdate.maxSurge).toBeGreaterThanOrEqual(1);
    checkPod(dep);
  });

  it("uses --storage.backend=postgres with the URL from a Secret through PUSHBOARD_POSTGRES_URL", () => {
    const c = dep.spec.template.spec.containers[0];
    expect(c.args).toContain("--storage.backend=postgres");
    expect(c.args.some((a: string) => a.startsWith("--storage.postgres.url"))).toBe(false);
    const url = c.env.find((e: any) => e.name === "PUSHBOARD_POSTGRES_URL");
    expect(url.value).toBeUndefined();
    expect(url.valueFrom.secretKeyRef).toEqual({ name: "pushboard-postgres", key: "url" });
    // Drains before SIGTERM, so endpoints stop routing to it first; within the grace period.
    expect(c.lifecycle.preStop.exec.command).toEqual(["sleep", "5"]);
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(5 + 3);
    // No local store to mount: nothing but /tmp is writable.
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(["/tmp"]);
  });

  it("spreads the replicas softly and keeps two through voluntary disruptions", () => {
    const pod = dep.spec.template.spec;
    const soft = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(soft.some((t: any) => t.podAffinityTerm.labelSelector.matchLabels.app === "pushgateway")).toBe(true);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    for (const t of pod.topologySpreadConstraints) expect(t.whenUnsatisfiable).toBe("ScheduleAnyway");
    const pdb = one("ha", "PodDisruptionBudget");
    expect(pdb.spec.selector.matchLabels).toEqual({ app: "pushgateway" });
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(dep.spec.replicas);
  });

  it("serves pushes and the one scrape of the pushed groups through a ClusterIP Service on 9091", () => {
    const svc = one("ha", "Service", "pushgateway");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.clusterIP).toBeUndefined();
    expect(svc.spec.ports).toEqual([{ name: "http", port: 9091, targetPort: "metrics", protocol: "TCP" }]);
    const pods = one("ha", "Service", "pushgateway-pods");
    expect(pods.spec.clusterIP).toBe("None");
    expect(pods.metadata.labels).toMatchObject({ "pushboard.dev/metrics": "own" });
  });
});

describe("every container argument is a real pushboard flag", () => {
  // Parsed by lib/config/flags.ts exactly as the server parses its command line. The HA Deployment's
  // --storage.backend=postgres needs the PostgreSQL backend's flags in that parser.
  for (const { file, obj } of manifests.filter((m) => m.obj.kind === "Deployment")) {
    it(`${file}`, () => {
      for (const c of obj.spec.template.spec.containers) parseContainerFlags(c);
    });
  }
});

describe("deploy/kubernetes/monitoring", () => {
  const rulesFile = YAML.parse(readFileSync(path.join(DEPLOY, "monitoring/prometheus/pushboard.rules.yml"), "utf8")) as { groups: any[] };
  const alerts = rulesFile.groups.flatMap((g) => g.rules.map((r: any) => r));

  it("single: a ServiceMonitor with honorLabels on the pushgateway Service's port", () => {
    const sm = one("monitoring", "ServiceMonitor", "pushgateway");
    expect(sm.spec.selector.matchLabels).toEqual({ app: "pushgateway" });
    expect(sm.spec.endpoints).toHaveLength(1);
    expect(sm.spec.endpoints[0]).toMatchObject({ port: "http", path: "/metrics", honorLabels: true });
    expect(one("single", "Service", "pushgateway").spec.ports[0].name).toBe(sm.spec.endpoints[0].port);
  });

  it("ha: the pushed groups once through the Service, each pod's own metrics per pod", () => {
    const sc = one("monitoring/ha", "ScrapeConfig", "pushgateway");
    expect(sc.spec).toMatchObject({ jobName: "pushgateway", honorLabels: true, metricsPath: "/metrics" });
    expect(sc.spec.kubernetesSDConfigs).toEqual([{ role: "Service" }]);
    expect(sc.spec.relabelings[0]).toEqual({
      sourceLabels: ["__meta_kubernetes_service_name", "__meta_kubernetes_service_port_name"],
      regex: "pushgateway;http",
      action: "keep",
    });
    const pods = one("monitoring/ha", "ServiceMonitor", "pushgateway-pods");
    const podsSvc = one("ha", "Service", "pushgateway-pods");
    expect(pods.spec.selector.matchLabels).toEqual(podsSvc.metadata.labels);
    // The per-pod selector must not match the load-balanced Service (that would repeat the pushed groups).
    const lbLabels = one("ha", "Service", "pushgateway").metadata.labels ?? {};
    expect(Object.entries(pods.spec.selector.matchLabels).every(([k, v]) => lbLabels[k] === v)).toBe(false);
    expect(pods.spec.endpoints).toEqual([expect.objectContaining({ port: "http", path: OWN_METRICS_PATH })]);
    expect(pods.spec.endpoints[0].honorLabels).toBeUndefined();
  });

  it("the PrometheusRule holds exactly the rules of the plain rule file", () => {
    const rule = one("monitoring/rules", "PrometheusRule", "pushgateway");
    expect(rule.spec.groups).toEqual(rulesFile.groups);
  });

  it("alerts on overdue and failing pushed groups and on pushboard down or not ready", () => {
    const byName = new Map(alerts.map((a: any) => [a.alert, a]));
    expect(byName.get("PushedGroupOverdue").expr).toBe("pushboard_group_up == 0");
    expect(byName.get("PushedGroupFailing").expr).toBe("push_failure_time_seconds > push_time_seconds");
    expect(byName.get("PushgatewayDown").expr).toMatch(/^up\{job=~?"pushgateway[^"]*"\} == 0$/);
    expect(byName.get("PushgatewayAbsent").expr).toBe('absent(up{job="pushgateway"} == 1)');
    expect(byName.get("PushgatewayNotReady").expr).toContain("kube_deployment_status_replicas_available");
    for (const a of alerts) {
      expect(a.labels.severity, a.alert).toMatch(/^(warning|critical)$/);
      expect(a.annotations.summary, a.alert).toBeTruthy();
    }
  });

  it("plain Prometheus: scrape jobs for the pushed groups (once, honor_labels) and per-pod own metrics", () => {
    const doc = YAML.parse(readFileSync(path.join(DEPLOY, "monitoring/prometheus/scrape-configs.yml"), "utf8")) as { scrape_configs: any[] };
    const [groups, pods] = doc.scrape_configs;
    expect(groups).toMatchObject({ job_name: "pushgateway", honor_labels: true, metrics_path: "/metrics", kubernetes_sd_configs: [{ role: "service" }] });
    expect(groups.relabel_configs[0]).toEqual({
      source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_service_port_name"],
      regex: "pushgateway;http",
      action: "keep",
    });
    expect(pods).toMatchObject({ job_name: "pushgateway-pods", metrics_path: OWN_METRICS_PATH, kubernetes_sd_configs: [{ role: "endpoints" }] });
    expect(pods.honor_labels).toBeUndefined();
    expect(pods.relabel_configs[0].regex).toBe("pushgateway-pods;http");
  });
});
