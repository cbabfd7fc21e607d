// The lifecycle of pushed groups at run time: the rules in force (loaded at start, reloaded on SIGHUP), the
// per-group health they drive, the preview of upcoming expiries, and the expiry itself.
//
// Expiry is a conditional delete inside the store's write queue (WriteRequest "deleteIf"): a group is deleted
// only if its last push attempt is still the one that made it due, so a push that lands between the decision and
// the delete keeps the group. On a replicated store every replica runs this loop, but the deletes are applied in
// the one global write order: the first replica's delete removes the group, the others find it gone (or pushed
// again) and delete nothing, so each expiry is performed, counted and audited exactly once.
import { readFileSync } from "node:fs";
import type { FamilyDeleteCondition, Group, MetricStore } from "../store/types";
import { staleFamiliesOf } from "./stale-families";
import { lastAttemptMs } from "../store/store-state";
import { GroupHealthExporter } from "./health";
import type { GroupLifecycleView } from "../dashboard/summary";
import { parseLifecycleConfig, type LifecycleRule, type LifecycleRules } from "./rules";
import type { Logger } from "../util/log";

/** How often due groups are looked for. */
export const EXPIRY_INTERVAL_MS = 1000;

export interface UpcomingExpiry {
  group: Group;
  rule: LifecycleRule;
  /** Unix ms at which the group is (or was) due. */
  dueAtMs: number;
}

/** Reads and parses a lifecycle file; throws LifecycleConfigError (with file and line) or a read error. */
export function loadLifecycleFile(file: string): LifecycleRules {
  return parseLifecycleConfig(readFileSync(file, "utf8"), file);
}

export interface LifecycleOptions {
  store: MetricStore;
  /** Path of --lifecycle.config.file, or "" for no rules. */
  file: string;
  /** The rules as loaded at start (loadLifecycleFile), so that a bad file refuses the start before the store opens. */
  rules: LifecycleRules;
  defaultStaleAfterMs: number;
  log: Logger;
  /** Counts expired groups by rule index (pushboard_groups_expired_total). */
  onExpired: (ruleIndex: number, groups: number) => void;
  /** Counts families expired by expire_families_after, by rule index (pushboard_families_expired_total). */
  onFamiliesExpired?: (ruleIndex: number, families: number) => void;
}

export class Lifecycle implements GroupLifecycleView {
  private current: LifecycleRules;
  readonly health: GroupHealthExporter;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly opts: LifecycleOptions) {
    this.current = opts.rules;
    this.health = new GroupHealthExporter(opts.store, () => this.current, opts.defaultStaleAfterMs);
  }

  rules(): LifecycleRules {
    return this.current;
  }

  /** The rules object in force: replaced (never changed in place) on reload. */
  rulesVersion(): unknown {
    return this.current;
  }

  /** Re-reads the file (SIGHUP). A bad file is logged and the rules in force stay. Returns whether it took effect. */
  reload(): boolean {
    if (!this.opts.file) return false;
    try {
      this.current = loadLifecycleFile(this.opts.file);
      this.health.invalidate();
      this.opts.log("info", "reloaded lifecycle rules", { file: this.opts.file, rules: this.current.rules.length });
      return true;
    } catch (err) {
      this.opts.log("error", "invalid lifecycle rules; keeping the rules in force", { file: this.opts.file, err: (err as Error).message });
      return false;
    }
  }

  /** Groups due to expire before `untilMs` (those already due included), soonest first. */
  upcoming(untilMs: number): UpcomingExpiry[] {
    const out: UpcomingExpiry[] = [];
    if (!this.current.rules.some((r) => r.expireAfterMs !== undefined)) return out;
    for (const group of this.opts.store.groups()) {
      const e = this.expiryOf(group);
      if (e && e.dueAtMs <= untilMs) out.push(e);
    }
    return out.sort((a, b) => a.dueAtMs - b.dueAtMs);
  }

  declaredCadenceMs(group: Group): number | undefined {
    return this.health.lifecycleOf(group).expectEvery?.ms;
  }

  expiresAtMs(group: Group): number | undefined {
    return this.expiryOf(group)?.dueAtMs;
  }

  /** When and by which rule a group expires, if a rule says so. */
  expiryOf(group: Group): UpcomingExpiry | undefined {
    const setting = this.health.lifecycleOf(group).expireAfter;
    const last = lastAttemptMs(group);
    if (!setting || last <= 0) return undefined;
    return { group, rule: setting.rule, dueAtMs: last + setting.ms };
  }

  /**
   * expire_families_after: families of a group not written for that long (push_time_seconds and
   * push_failure_time_seconds excepted) are deleted, conditionally on their write time (a family pushed again
   * meanwhile is kept); audited as "expire" with the families named, and undoable like any delete.
   */
  async expireFamilies(nowMs = Date.now()): Promise<number> {
    if (!this.current.rules.some((r) => r.expireFamiliesAfterMs !== undefined)) return 0;
    const byRule = new Map<LifecycleRule, FamilyDeleteCondition[]>();
    for (const group of this.opts.store.groups()) {
      const setting = this.health.lifecycleOf(group).expireFamiliesAfter;
      if (!setting) continue;
      const families = staleFamiliesOf(group, nowMs - setting.ms).map((sf) => ({ name: sf.family.name, timestampMs: sf.timestampMs }));
      if (families.length === 0) continue;
      let list = byRule.get(setting.rule);
      if (!list) byRule.set(setting.rule, (list = []));
      list.push({ key: group.key, families });
    }
    let total = 0;
    for (const [rule, groups] of byRule) {
      const res = await this.opts.store.submit({ kind: "deleteFamilies", groups, audit: { source: "rule", rule: rule.index } });
      if (!res.ok) {
        this.opts.log("warn", "family expiry not applied", { rule: rule.index, groups: groups.length, status: res.status, err: res.message });
        continue;
      }
      let n = 0;
      for (const g of res.removed ?? []) {
        n += g.families?.length ?? 0;
        this.opts.log("info", "expired families", {
          rule: rule.index,
          match: rule.match.text,
          labels: g.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(","),
          families: (g.families ?? []).join(","),
        });
      }
      if (n > 0) this.opts.onFamiliesExpired?.(rule.index, n);
      total += n;
    }
    return total;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.expireDue(), EXPIRY_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes every group that is due now (one conditional delete per rule); returns how many went. */
  async expireDue(nowMs = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      await this.expireFamilies(nowMs);
      const byRule = new Map<LifecycleRule, { key: string; lastAttemptAtMostMs: number }[]>();
      for (const e of this.upcoming(nowMs)) {
        let list = byRule.get(e.rule);
        if (!list) byRule.set(e.rule, (list = []));
        list.push({ key: e.group.key, lastAttemptAtMostMs: lastAttemptMs(e.group) });
      }
      let total = 0;
      for (const [rule, groups] of byRule) {
        const res = await this.opts.store.submit({ kind: "deleteIf", groups, audit: { source: "rule", rule: rule.index } });
        if (!res.ok) {
          this.opts.log("warn", "expiry not applied", { rule: rule.index, groups: groups.length, status: res.status, err: res.message });
          continue;
        }
        for (const g of res.removed ?? []) {
          this.opts.log("info", "expired group", {
            rule: rule.index,
            match: rule.match.text,
            labels: g.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(","),
            series: g.series,
          });
        }
        const n = res.removed?.length ?? 0;
        if (n > 0) this.opts.onExpired(rule.index, n);
        total += n;
      }
      return total;
    } finally {
      this.running = false;
    }
  }
}
