/**
 * The records key (see store/recordSealer.ts): read from `recordsKeyFile`, which must sit
 * outside the data directory, or, when none is configured, made fresh for this process
 * with a warning, since whatever it seals becomes unreadable after a restart. A configured
 * file that does not exist yet is made (0600, a fresh key) only while there is no database
 * to be sealed under another key; one that other users can read is refused.
 *
 * The key is decoded into memory of its own, never a slice of Node's shared Buffer pool, so
 * whoever owns it last can wipe it. The base64 text read from the file passes through a
 * JavaScript string, which cannot be wiped.
 */
import { randomFillSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, settingName, type ServerConfig } from '../config.js';
import { createLogger } from '../../common/logger.js';
import { readSecretFile, refuseIfShared, SharedFileError } from './privateFiles.js';
import { RECORDS_KEY_BYTES } from '../store/recordSealer.js';
import { DATABASE_FILE } from '../store/store.js';

const log = createLogger('server');

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Room for the base64 of a key, a line ending and some stray whitespace; more is not a key file. */
const MAX_KEY_FILE_BYTES = 256;

/** A fresh key, in a Buffer of its own (Buffer.alloc never hands out a pool slice). */
function freshKey(): Buffer {
  return randomFillSync(Buffer.alloc(RECORDS_KEY_BYTES));
}

/** Decodes base64 into a Buffer of its own and wipes the scratch it used. */
function decodeKey(raw: Buffer): Buffer | null {
  const scratch = Buffer.alloc(raw.length);
  const length = scratch.write(raw.toString('latin1').trim(), 'base64');
  const key = length === RECORDS_KEY_BYTES ? Buffer.alloc(RECORDS_KEY_BYTES) : null;
  key?.set(scratch.subarray(0, RECORDS_KEY_BYTES));
  scratch.fill(0);
  return key;
}

function createKeyFile(config: ServerConfig, file: string): Buffer {
  const name = settingName('recordsKeyFile');
  // A database already holds records sealed under some key: a new one would not open them.
  if (existsSync(path.join(config.dataDir, DATABASE_FILE))) {
    throw new ConfigError(
      `invalid setting ${name}: ${file} does not exist, but the database in ${config.dataDir} holds records sealed under a key: restore the key file`,
    );
  }
  const key = freshKey();
  try {
    writeFileSync(file, key.toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    key.fill(0);
    throw new ConfigError(`invalid setting ${name}: ${file} cannot be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  log.info('records_key.created', { setting: 'recordsKeyFile' });
  return key;
}

function readKeyFile(config: ServerConfig, file: string): Buffer {
  const name = settingName('recordsKeyFile');
  // Beside the database, the key would protect nothing that a copy of the directory exposes.
  if (isInside(config.dataDir, file)) throw new ConfigError(`invalid setting ${name}: must be outside the data directory`);
  if (!existsSync(file)) return createKeyFile(config, file);
  try {
    refuseIfShared(file);
  } catch (err) {
    if (err instanceof SharedFileError) throw new ConfigError(`invalid setting ${name}: ${err.message}`);
    throw err;
  }
  let raw: Buffer;
  try {
    raw = readSecretFile(file, MAX_KEY_FILE_BYTES);
  } catch {
    throw new ConfigError(`invalid setting ${name}: the file cannot be read`);
  }
  const key = decodeKey(raw);
  raw.fill(0);
  if (!key) throw new ConfigError(`invalid setting ${name}: the file must hold ${RECORDS_KEY_BYTES} bytes in base64`);
  return key;
}

export function loadRecordsKey(config: ServerConfig): Buffer {
  if (config.recordsKeyFile !== undefined) return readKeyFile(config, config.recordsKeyFile);
  log.warn('records_key.ephemeral', { setting: 'recordsKeyFile' });
  return freshKey();
}
