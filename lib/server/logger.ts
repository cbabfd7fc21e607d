// Logging in the Pushgateway's styles: logfmt (go-kit) or JSON, filtered by level.
import type { LogFormat } from "../config/flags";
import type { Logger, LogLevel } from "../util/log";

export type { Logger };

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === "string" ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s ?? "") ? s! : JSON.stringify(s ?? "");
}

export function createLogger(level: LogLevel, format: LogFormat, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return (lvl, msg, fields = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const ts = new Date().toISOString();
    if (format === "json") {
      const rec: Record<string, unknown> = { ts, level: lvl, msg };
      for (const [k, v] of Object.entries(fields)) rec[k] = v instanceof Error ? v.message : v;
      write(JSON.stringify(rec) + "\n");
      return;
    }
    let line = `ts=${ts} level=${lvl} msg=${logfmtValue(msg)}`;
    for (const [k, v] of Object.entries(fields)) line += ` ${k}=${logfmtValue(v)}`;
    write(line + "\n");
  };
}
