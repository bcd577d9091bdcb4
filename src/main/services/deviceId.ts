/**
 * This workstation's id for the server's audit log (issue 20's breach report): a random id
 * made the first time the console runs under this account of the computer, kept beside its
 * other files (owner-only), and sent with every request to the server (`X-Confidant-Device`),
 * so the log can say which workstation an act came from. It names the installation, not the
 * person, and carries nothing about the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'device-id';
const SHAPE = /^[A-Za-z0-9_-]{16,64}$/;

export function newDeviceId(): string {
  return randomBytes(18).toString('base64url');
}

/** The id kept in `baseDir`, made and kept there the first time (or when what is there is not one). */
export function loadDeviceId(baseDir: string): string {
  const path = join(baseDir, FILE);
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (SHAPE.test(kept)) return kept;
  } catch {
    // None yet: made below.
  }
  const id = newDeviceId();
  mkdirSync(baseDir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${id}\n`, { mode: 0o600 });
  return id;
}
