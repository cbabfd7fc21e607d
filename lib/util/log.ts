// The one logger shape every module takes (level, message, structured fields). lib/server/logger.ts writes it as
// logfmt or JSON at --log.level; tests pass their own.
export type LogLevel = "debug" | "info" | "warn" | "error";

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
