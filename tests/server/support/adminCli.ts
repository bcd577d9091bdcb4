/** `npm run admin` end to end: the command as a child process, from source, against a test's own data. */
import { spawn } from 'node:child_process';

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the command finds the server's data: the test's own folder and records key file. */
export interface AdminData {
  dataDir: string;
  recordsKeyFile: string;
}

/**
 * Runs `npm run admin -- ...args` with this process's environment less any config file or
 * database URL (the test's own data is a SQLite directory, also in the PostgreSQL pass), pointed
 * at `data` (and `env` on top, to take a setting away), writes `stdin` to it and resolves with
 * what it printed and its exit code.
 */
export function runAdmin(args: string[], data: AdminData, options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<AdminRun> {
  const { CONFIDANT_CONFIG: _config, CONFIDANT_DATABASE_URL: _database, ...rest } = process.env;
  const env = { ...rest, CONFIDANT_DATA_DIR: data.dataDir, CONFIDANT_RECORDS_KEY_FILE: data.recordsKeyFile, CONFIDANT_LOG_LEVEL: 'warn', ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsx', ['src/server/admin.ts', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
