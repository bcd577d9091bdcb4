import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { loadRecordsKey } from '../../src/server/keys/recordsKey.js';

setLogLevel('error');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'confidant-key-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dataDir = path.join(tmp, 'data');

function keyFile(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('the records key', () => {
  it('is read from recordsKeyFile as 32 bytes of base64', () => {
    const key = randomBytes(32);
    const file = keyFile('records.key', key.toString('base64') + '\n');
    expect(loadRecordsKey(parseConfig({ dataDir, recordsKeyFile: file })).equals(key)).toBe(true);
  });

  it('refuses a key file inside the data directory, unreadable or of the wrong size, naming the setting', () => {
    const inside = path.join(dataDir, 'records.key');
    expect(() => loadRecordsKey(parseConfig({ dataDir, recordsKeyFile: inside }))).toThrow(/recordsKeyFile.*outside the data directory/);
    // A directory where the file should be: it cannot be read as a key.
    expect(() => loadRecordsKey(parseConfig({ dataDir, recordsKeyFile: mkdtempSync(path.join(tmp, 'dir-')) }))).toThrow(ConfigError);
    const short = keyFile('short.key', randomBytes(16).toString('base64'));
    expect(() => loadRecordsKey(parseConfig({ dataDir, recordsKeyFile: short }))).toThrow(/CONFIDANT_RECORDS_KEY_FILE/);
  });

  it('is made fresh for the process when none is configured', () => {
    expect(loadRecordsKey(parseConfig({ dataDir }))).toHaveLength(32);
  });
});
