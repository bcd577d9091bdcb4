/**
 * A named logger per module. Lines carry ids and codes only: never names, notes,
 * passcodes or tokens (docs/security.md).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export function createLogger(name: string): Logger {
  const line = (level: string, message: string) => `${new Date().toISOString()} ${level} [${name}] ${message}`;
  return {
    info: (message) => console.log(line('info', message)),
    warn: (message) => console.warn(line('warn', message)),
    error: (message, err) =>
      console.error(line('error', message), err instanceof Error ? (err.stack ?? err.message) : ''),
  };
}
