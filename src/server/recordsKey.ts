/**
 * The records key (see store/recordSealer.ts): read from `recordsKeyFile`, which must sit
 * outside the data directory, or, when none is configured, made fresh for this process
 * with a warning, since whatever it seals becomes unreadable after a restart.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, settingName, type ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { RECORDS_KEY_BYTES } from './store/recordSealer.js';

const log = createLogger('server');

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function readKeyFile(config: ServerConfig, file: string): Buffer {
  const name = settingName('recordsKeyFile');
  // Beside the database, the key would protect nothing that a copy of the directory exposes.
  if (isInside(config.dataDir, file)) throw new ConfigError(`invalid setting ${name}: must be outside the data directory`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(`invalid setting ${name}: the file cannot be read`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== RECORDS_KEY_BYTES) {
    throw new ConfigError(`invalid setting ${name}: the file must hold ${RECORDS_KEY_BYTES} bytes in base64`);
  }
  return key;
}

export function loadRecordsKey(config: ServerConfig): Buffer {
  if (config.recordsKeyFile !== undefined) return readKeyFile(config, config.recordsKeyFile);
  log.warn('records_key.ephemeral', { setting: 'recordsKeyFile' });
  return randomBytes(RECORDS_KEY_BYTES);
}
