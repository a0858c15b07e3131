/**
 * The keeper bot's log: one line per event. `json` writes one JSON object per line through pino (level, time, event,
 * msg and the event's fields: vault, action, tx, gas, error...); `text` writes `[time] LEVEL msg` for a terminal.
 *
 * Every call site passes `(msg, fields)` where `fields.event` names what happened and `fields.level` is one of
 * debug / info / warn / error (default info). Bigints are written as decimal strings.
 */
import pino from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type KeeperLog = (line: string, fields?: Record<string, unknown>) => void;

/** Event names a keeper line may carry; documented in the README (`Running a keeper`). */
export const LOG_EVENTS = [
  "start", "lens", "allow-list", "metrics", "balance", "low-balance", "signal", "parent-exited", "pass", "pass-failed",
  "action", "skipped", "not-allow-listed", "vault-stopped", "in-flight", "sent", "adopted", "replaced", "mined",
  "blocked", "waiting", "stopped", "exit", "refinance",
] as const;

function plain(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}

/**
 * A logger writing synchronously through console.log (nothing is lost when the process exits right after a line,
 * and in-process callers can capture it).
 * `format` json: pino; text: a human line.
 */
export function keeperLogger(format: "text" | "json", write: (line: string) => void = (line) => console.log(line.replace(/\n$/, ""))): KeeperLog {
  if (format === "json") {
    const logger = pino(
      {
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      { write },
    );
    return (line, fields = {}) => {
      const { level = "info", event = "log", ...rest } = fields as { level?: LogLevel; event?: string };
      logger[level in logger ? level : "info"]({ event, ...plain(rest) }, line);
    };
  }
  return (line, fields = {}) => {
    const level = (fields.level as LogLevel | undefined) ?? "info";
    write(`[${new Date().toISOString()}] ${level === "info" ? "" : `${level.toUpperCase()} `}${line}\n`);
  };
}
