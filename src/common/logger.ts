/**
 * A tiny structured logger: one line per event on stderr, `TIME LEVEL module event k=v …`.
 * Callers pass ids and counts only. Names, passcodes, tokens, messages, locations and
 * contacts never reach a log (DESIGN.md, "No recording"): the field type admits only
 * primitives so nothing large or nested slips in by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function levelFromEnv(): LogLevel {
  const v = process.env.CONFIDANT_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

let threshold: LogLevel = levelFromEnv();

/** Changes the level for every logger (tests and benches quieten the server with it). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function formatValue(v: string | number | boolean | null): string {
  const s = String(v);
  return /[\s="]/.test(s) ? JSON.stringify(s) : s;
}

export function createLogger(module: string): Logger {
  const write = (level: LogLevel, event: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[threshold]) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase()} ${module} ${event}`;
    if (fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
      }
    }
    process.stderr.write(line + '\n');
  };
  return {
    debug: (e, f) => write('debug', e, f),
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
  };
}

/**
 * What of an unexpected error may be logged: its class and stack frames, never its message,
 * because a message can quote user input (a mediasoup or SQLite error echoes parameters).
 */
export function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { errorType: typeof err };
  const frames = (err.stack ?? '')
    .split('\n')
    .slice(1, 6)
    .map((l) => l.trim())
    .join(' | ');
  return { errorType: err.name, stack: frames };
}
