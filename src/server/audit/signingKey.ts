/**
 * The audit signing key: Ed25519, PKCS#8 PEM, in `auditSigningKeyFile` (default: a file named
 * `audit-signing.pem` beside the records key file). It signs checkpoints of the audit chain's
 * head (chain.ts). It is kept apart from both the database and the records key: whoever
 * rewrites the database and holds the records key can re-chain a history that verifies, but
 * not one that matches a checkpoint they cannot sign. Made (0600, never overwritten) the first
 * time it is needed; refused when others may read it or it is not an Ed25519 key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, settingName, type ServerConfig } from '../config.js';

export const DEFAULT_SIGNING_KEY_NAME = 'audit-signing.pem';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  file: string;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Where the key lives, or undefined when neither it nor the records key file is configured. */
export function signingKeyPath(config: ServerConfig): string | undefined {
  if (config.auditSigningKeyFile !== undefined) return config.auditSigningKeyFile;
  if (config.recordsKeyFile !== undefined) return path.join(path.dirname(config.recordsKeyFile), DEFAULT_SIGNING_KEY_NAME);
  return undefined;
}

export function loadAuditSigningKey(config: ServerConfig): AuditSigningKey {
  const name = settingName('auditSigningKeyFile');
  const file = signingKeyPath(config);
  if (file === undefined) {
    throw new ConfigError(`missing setting ${name}: checkpoints need a signing key kept outside the database (or set ${settingName('recordsKeyFile')})`);
  }
  // In the data directory, a copy of the records would carry the key that vouches for them.
  if (isInside(config.dataDir, file)) throw new ConfigError(`invalid setting ${name}: must be outside the data directory`);
  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    // 'wx': a key that exists is never replaced, even by two processes racing to make one.
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`invalid setting ${name}: the file cannot be created`);
  }
  let pem: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) {
      throw new ConfigError(`invalid setting ${name}: the file may be read by others (make it 0600)`);
    }
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`invalid setting ${name}: the file cannot be read`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`invalid setting ${name}: the file does not hold a private key in PEM`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(`invalid setting ${name}: the key must be Ed25519`);
  return { privateKey, publicKey: createPublicKey(privateKey), file };
}
