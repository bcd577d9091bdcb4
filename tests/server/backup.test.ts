/**
 * Backups and restores (src/server/backup/, `npm run admin -- backup` / `restore`): a backup
 * taken mid-session while the server runs, on SQLite and on PostgreSQL, restores to exactly
 * what was on record when it was taken (the audit chain verifies, the roster has what happened
 * before it and nothing after), and restore refuses what it must: a running server's database,
 * a database holding records without --force, an altered backup, another key's, another kind,
 * a newer schema, a file that is no backup; backup refuses a path it cannot write, and both
 * say plainly when pg_dump or pg_restore is missing.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backupStore, BackupError, restoreStore } from '../../src/server/backup/backup.js';
import { parseConfig, type ServerConfig } from '../../src/server/config.js';
import { DEMO_SCRYPT, seedDemo, type DemoSeed } from '../../src/server/demo.js';
import { createRosterService } from '../../src/server/rosters/rosterService.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { createSessionLifecycle } from '../../src/server/sessions/lifecycle.js';
import type { AuditRecord } from '../../src/server/store/audit.js';
import type { AttendanceEvent } from '../../src/server/store/attendance.js';
import { openConfiguredStore } from '../../src/server/store/open.js';
import { DATABASE_FILE, openStore, type Store } from '../../src/server/store/store.js';
import type { DemoInfo, RosterEntry } from '../../src/shared/protocol.js';
import { runPostgres, type RunPostgres } from '../support/postgres.js';
import { runAdmin, type AdminRun } from './support/adminCli.js';
import { admitted, connectClinician, knock } from './support/testServer.js';
import type { TestClient } from './support/wsClient.js';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `confidant-backup-${prefix}-`));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A records key in a 0600 file of its own, outside any data directory. */
function keyFile(key = randomBytes(32)): { key: Buffer; file: string } {
  const file = path.join(tempDir('key'), 'records.key');
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return { key, file };
}

function configFor(dataDir: string, recordsKeyFile: string, databaseUrl?: string): ServerConfig {
  return parseConfig({
    host: '127.0.0.1',
    port: 0,
    rtcPort: 0,
    workers: 1,
    dataDir,
    recordsKeyFile,
    participantDir: '/nonexistent-participant-dir',
    ...(databaseUrl !== undefined ? { database: { url: databaseUrl } } : {}),
  });
}

/** The admin command against this data directory, key file and (PostgreSQL) database. */
function admin(args: string[], dataDir: string, recordsKeyFile: string, env: NodeJS.ProcessEnv = {}): Promise<AdminRun> {
  // The test's environment may name a database of its own: the one given here, or none.
  return runAdmin(args, { dataDir, recordsKeyFile }, { env: { CONFIDANT_DATABASE_URL: '', CONFIDANT_PG_BIN: '', ...env } });
}

interface Clinic {
  server: RunningServer;
  seed: DemoSeed;
  info: DemoInfo;
}

/** A real server seeded like the demo, with the records key read from its file as in production. */
async function startClinic(config: ServerConfig): Promise<Clinic> {
  const server = await startServer(config, { scrypt: DEMO_SCRYPT });
  const seed = await seedDemo(server.store, 4, new Date(), DEMO_SCRYPT);
  const printable = ({ username, password, totpSecret }: DemoSeed['admin']) => ({ username, password, totpSecret });
  const info: DemoInfo = {
    httpUrl: server.httpUrl,
    wsUrl: server.wsUrl,
    dataDir: config.dataDir,
    facilitator: printable(seed.facilitator),
    supervisor: printable(seed.supervisor),
    admin: printable(seed.admin),
    sessionId: seed.sessionId,
    invitations: seed.invitations.map((i) => ({ ...i, url: `${server.httpUrl}/join/${i.token}` })),
  };
  return { server, seed, info };
}

type RosterShape = Pick<RosterEntry, 'participantRef' | 'displayName' | 'knockedAt' | 'admittedAt' | 'admittedById' | 'leftAt' | 'removedAt'>;

/** A roster without what depends on the clock or on a room being open (minutes, status). */
const shapeOf = (entries: RosterEntry[]): RosterShape[] =>
  entries.map(({ participantRef, displayName, knockedAt, admittedAt, admittedById, leftAt, removedAt }) => ({
    participantRef,
    displayName,
    knockedAt,
    admittedAt,
    admittedById,
    leftAt,
    removedAt,
  }));

interface Records {
  audit: AuditRecord[];
  attendance: AttendanceEvent[];
  roster: RosterShape[];
}

/** What a store holds about the demo session, its roster as an admin sees it. */
async function recordsOf(store: Store, seed: DemoSeed): Promise<Records> {
  const adminAccount = (await store.clinicians.byId(seed.admin.id))!;
  const rosters = createRosterService({ store, lifecycle: createSessionLifecycle({ store, waitingRoomOpensMinutes: 15 }), timeZone: 'UTC' });
  return {
    audit: await store.audit.list(),
    attendance: await store.attendance.forSession(seed.sessionId),
    roster: shapeOf((await rosters.roster(adminAccount, seed.sessionId)).entries),
  };
}

/** The live server's records, everything the rooms queued written first. */
async function liveRecords(clinic: Clinic): Promise<Records> {
  const adminAccount = (await clinic.server.store.clinicians.byId(clinic.seed.admin.id))!;
  const attendance = await clinic.server.store.attendance.forSession(clinic.seed.sessionId);
  return {
    audit: await clinic.server.store.audit.list(),
    attendance,
    roster: shapeOf((await clinic.server.rosters.roster(adminAccount, clinic.seed.sessionId)).entries),
  };
}

interface Session {
  facilitator: TestClient;
  clients: TestClient[];
  alexId: string;
}

/** Before the backup: Jordan is in the group, Alex waits. */
async function beforeBackup(clinic: Clinic): Promise<Session> {
  const { client: facilitator } = await connectClinician(clinic.info);
  const jordan = await admitted(clinic.info, clinic.info.invitations[0]!, facilitator, 'Jordan');
  const alex = await knock(clinic.info, clinic.info.invitations[1]!, 'Alex');
  await facilitator.waitFor('knock', (d) => d.participant.participantId === alex.participantId);
  return { facilitator, clients: [jordan.client, alex.client], alexId: alex.participantId };
}

/** After it: Alex is admitted, Jordan leaves, Casey knocks. */
async function afterBackup(clinic: Clinic, session: Session): Promise<void> {
  const [jordan, alex] = session.clients;
  await session.facilitator.call('admit', { participantId: session.alexId });
  await alex!.waitFor('admitted');
  await jordan!.call('leave', {});
  const casey = await knock(clinic.info, clinic.info.invitations[2]!, 'Casey');
  await session.facilitator.waitFor('knock', (d) => d.participant.participantId === casey.participantId);
  session.clients.push(casey.client);
}

async function endSession(clinic: Clinic, session: Session): Promise<void> {
  for (const c of [session.facilitator, ...session.clients]) await c.close().catch(() => undefined);
  await clinic.server.close();
}

/** What a restore of a backup taken at `atBackup` must hold: that, then the backup's entry and the restore's. */
function expectRestoredAsAtBackup(restored: Records, atBackup: Records, live: Records): void {
  // The live log went on after the backup; the restored one stops at the backup's own entry.
  const backedUp = live.audit.findIndex((e) => e.event === 'audit.backed_up');
  expect(backedUp).toBe(atBackup.audit.length);
  expect(live.audit.length).toBeGreaterThan(backedUp + 1);
  expect(restored.audit.slice(0, backedUp + 1)).toEqual(live.audit.slice(0, backedUp + 1));
  expect(restored.audit.slice(0, backedUp)).toEqual(atBackup.audit);
  expect(restored.audit.slice(backedUp).map((e) => e.event)).toEqual(['audit.backed_up', 'audit.restored']);

  expect(restored.attendance).toEqual(atBackup.attendance);
  expect(restored.roster).toEqual(atBackup.roster);
  // Spelled out: what happened after the backup is not there, though the live server had it.
  const named = (records: Records, name: string) => records.roster.find((e) => e.displayName === name);
  expect(named(restored, 'Jordan')).toMatchObject({ admittedAt: expect.any(String), leftAt: null });
  expect(named(restored, 'Alex')).toMatchObject({ knockedAt: expect.any(String), admittedAt: null });
  expect(named(restored, 'Casey')).toBeUndefined();
  expect(named(live, 'Jordan')?.leftAt).toEqual(expect.any(String));
  expect(named(live, 'Alex')?.admittedAt).toEqual(expect.any(String));
  expect(named(live, 'Casey')?.knockedAt).toEqual(expect.any(String));
}

const modeOf = (file: string): number => statSync(file).mode & 0o777;
const magicOf = (file: string, length: number): string => readFileSync(file).subarray(0, length).toString('latin1');
const restoreDirsIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('.restore-'));

describe('SQLite', () => {
  const { key, file: recordsKeyFile } = keyFile();
  let clinic: Clinic | undefined;
  afterEach(async () => {
    await clinic?.server.close();
    clinic = undefined;
  });

  it('a backup taken mid-session restores to exactly the records at that moment, with a verified chain', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('live');
    const backups = tempDir('out');
    const backup = path.join(backups, 'clinic.sqlite');
    clinic = await startClinic(configFor(dataDir, recordsKeyFile));
    const { seed } = clinic;
    const session = await beforeBackup(clinic);
    const atBackup = await liveRecords(clinic);

    const taken = await admin(['backup', '--out', backup], dataDir, recordsKeyFile);
    expect(taken.stderr).toBe('');
    expect(taken.code).toBe(0);
    expect(taken.stdout).toMatch(/records key, which is NOT in the backup/);
    expect(magicOf(backup, 16)).toBe('SQLite format 3\0');
    expect(modeOf(backup)).toBe(0o600);
    // Written beside its name and linked into place: nothing else is left there.
    expect(readdirSync(backups)).toEqual(['clinic.sqlite']);

    // A running server's database is never replaced, even with --force.
    const busy = await admin(['restore', '--from', backup, '--force'], dataDir, recordsKeyFile);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is in use: a server .* has it open/);
    expect(restoreDirsIn(dataDir)).toEqual([]);

    await afterBackup(clinic, session);
    const live = await liveRecords(clinic);
    await endSession(clinic, session);
    clinic = undefined;

    // Into a new data directory, with the same key.
    const restoredDir = tempDir('restored');
    const restored = await admin(['restore', '--from', backup], restoredDir, recordsKeyFile);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/audit chain verified/);
    expect(modeOf(path.join(restoredDir, DATABASE_FILE))).toBe(0o600);
    expect(restoreDirsIn(restoredDir)).toEqual([]);
    const store = openStore(restoredDir, key);
    try {
      expect(await store.audit.verify()).toMatchObject({ ok: true });
      expectRestoredAsAtBackup(await recordsOf(store, seed), atBackup, live);
    } finally {
      await store.close();
    }
    expect(await admin(['audit', 'verify'], restoredDir, recordsKeyFile)).toMatchObject({ code: 0 });

    // Over the original, now its server has stopped: only with --force, the old one kept aside.
    const refused = await admin(['restore', '--from', backup], dataDir, recordsKeyFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds a database: .*--force/);
    const forced = await admin(['restore', '--from', backup, '--force'], dataDir, recordsKeyFile);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const aside = /kept as (\S+):/.exec(forced.stdout)?.[1];
    expect(aside !== undefined && existsSync(aside)).toBe(true);
    expect(['-wal', '-shm', '-journal'].filter((s) => existsSync(path.join(dataDir, DATABASE_FILE + s)))).toEqual([]);
    const inPlace = openStore(dataDir, key);
    const replaced = new Database(aside!, { readonly: true });
    try {
      expectRestoredAsAtBackup(await recordsOf(inPlace, seed), atBackup, live);
      // What it replaced is whole: every entry the live log had.
      expect(replaced.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: live.audit.length });
    } finally {
      replaced.close();
      await inPlace.close();
    }
  });

  describe('restore refuses', () => {
    let backup: string;
    beforeAll(async () => {
      const dataDir = tempDir('small');
      const store = openStore(dataDir, key);
      await store.audit.record({ at: new Date(), event: 'login.ok', actorId: 'c-1', address: '127.0.0.1' });
      await store.audit.record({ at: new Date(), event: 'client.admitted', actorId: 'c-1', subjectId: 'p-1', sessionId: 's-1' });
      await store.close();
      backup = path.join(tempDir('small-out'), 'small.sqlite');
      await backupStore(configFor(dataDir, recordsKeyFile), backup);
    });

    /** Restores `file` into a fresh data directory (or `dataDir`): the error, and that nothing was put there. */
    async function refusal(file: string, options: { keyFile?: string; dataDir?: string } = {}): Promise<string> {
      const dataDir = options.dataDir ?? tempDir('refused');
      const error = await restoreStore(configFor(dataDir, options.keyFile ?? recordsKeyFile), file).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(BackupError);
      if (options.dataDir === undefined) expect(existsSync(path.join(dataDir, DATABASE_FILE))).toBe(false);
      if (existsSync(dataDir)) expect(restoreDirsIn(dataDir)).toEqual([]);
      return (error as Error).message;
    }

    /** A copy of the backup, changed with raw SQL as someone with the file and sqlite3 could. */
    function alteredCopy(sql: string): string {
      const copy = path.join(tempDir('altered'), 'altered.sqlite');
      copyFileSync(backup, copy);
      const db = new Database(copy);
      db.exec(sql);
      db.close();
      return copy;
    }

    it('the backup itself restores (the cases below differ from it in one thing each), clearing a stale -wal and -shm', async () => {
      const dataDir = tempDir('fine');
      // Left by a database deleted by hand: beside the restored file, SQLite would read them as its own.
      for (const suffix of ['-wal', '-shm']) writeFileSync(path.join(dataDir, DATABASE_FILE + suffix), 'stale');
      await expect(restoreStore(configFor(dataDir, recordsKeyFile), backup)).resolves.toMatchObject({ kind: 'sqlite', auditEntries: 4 });
      for (const suffix of ['-wal', '-shm']) expect(existsSync(path.join(dataDir, DATABASE_FILE + suffix))).toBe(false);
      const store = openStore(dataDir, key);
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 4 });
      await store.close();
    });

    it('a backup whose audit log was altered', async () => {
      const altered = alteredCopy(`DROP TRIGGER IF EXISTS audit_log_no_update; UPDATE audit_log SET address = '10.0.0.9' WHERE seq = 1`);
      expect(await refusal(altered)).toMatch(/audit chain does not verify under this server's records key \(entry 1: entry 1 was altered\)/);
    });

    it('a backup under another records key', async () => {
      expect(await refusal(backup, { keyFile: keyFile().file })).toMatch(/audit chain does not verify.*another key/);
    });

    it('without the records key file: it is never made up, and never in the backup', async () => {
      const missing = path.join(tempDir('nokey'), 'records.key');
      expect(await refusal(backup, { keyFile: missing })).toMatch(/records key file .* does not exist: put the server's records key back/);
      expect(existsSync(missing)).toBe(false);
    });

    it('a damaged backup', async () => {
      const damaged = path.join(tempDir('damaged'), 'damaged.sqlite');
      const bytes = readFileSync(backup);
      const pageSize = bytes.readUInt16BE(16);
      // Every page after the first, scribbled over past its header: the schema still reads.
      for (let page = 1; page * pageSize < bytes.length; page++) bytes.fill(0xa5, page * pageSize + 12, page * pageSize + 64);
      writeFileSync(damaged, bytes);
      expect(await refusal(damaged)).toMatch(/failed SQLite's integrity check .*: it is damaged/);
    });

    it('a backup of a newer schema', async () => {
      expect(await refusal(alteredCopy('PRAGMA user_version = 99'))).toMatch(/schema version 99 is newer than this server's/);
    });

    it('a file that is no backup, a SQLite database of something else, a backup of the other kind', async () => {
      const dir = tempDir('junk');
      const text = path.join(dir, 'notes.txt');
      writeFileSync(text, 'not a backup at all\n');
      expect(await refusal(text)).toMatch(/is not a Confidant backup/);
      const other = path.join(dir, 'other.sqlite');
      const db = new Database(other);
      db.exec('CREATE TABLE recipes (name TEXT)');
      db.close();
      expect(await refusal(other)).toMatch(/a SQLite database but not a Confidant store/);
      const dump = path.join(dir, 'clinic.dump');
      writeFileSync(dump, Buffer.concat([Buffer.from('PGDMP'), randomBytes(64)]));
      expect(await refusal(dump)).toMatch(/is a PostgreSQL \(pg_dump\) backup, but this server keeps its records in SQLite/);
      expect(await refusal(path.join(dir, 'absent.sqlite'))).toMatch(/cannot read .*absent\.sqlite \(ENOENT\)/);
    });
  });

  describe('backup refuses', () => {
    it('a path it cannot write, an existing file, a data directory without a database, no records key', async () => {
      const dataDir = tempDir('small');
      await openStore(dataDir, key).close();
      const config = configFor(dataDir, recordsKeyFile);
      const failure = (out: string, c: ServerConfig = config) => backupStore(c, out).then(() => 'written', (err: Error) => `${err.name}: ${err.message}`);
      expect(await failure('/nonexistent-folder/clinic.sqlite')).toMatch(/^BackupError: cannot write the backup to .*: \/nonexistent-folder does not exist/);
      const notAFolder = path.join(tempDir('file'), 'plain');
      writeFileSync(notAFolder, '');
      expect(await failure(path.join(notAFolder, 'clinic.sqlite'))).toMatch(/^BackupError: cannot write the backup to .* is not writable \(ENOTDIR\)/);
      const existing = path.join(tempDir('existing'), 'kept.txt');
      writeFileSync(existing, 'precious');
      expect(await failure(existing)).toMatch(/^BackupError: .*kept\.txt exists: a backup never replaces a file/);
      expect(readFileSync(existing, 'utf8')).toBe('precious');
      expect(await failure(path.join(tempDir('out'), 'x.sqlite'), configFor(tempDir('empty'), recordsKeyFile))).toMatch(/^BackupError: no database in .*: nothing to back up/);
      const { recordsKeyFile: _none, ...withoutKey } = config;
      expect(await failure(path.join(tempDir('out'), 'x.sqlite'), withoutKey)).toMatch(/^BackupError: a backup needs the records key the server uses: set recordsKeyFile/);
    });

    it('the admin command needs --out and --from (usage, exit 2)', async () => {
      const dataDir = tempDir('usage');
      const backup = await admin(['backup'], dataDir, recordsKeyFile);
      expect(backup.code).toBe(2);
      expect(backup.stderr).toMatch(/--out FILE is needed/);
      const restore = await admin(['restore'], dataDir, recordsKeyFile);
      expect(restore.code).toBe(2);
      expect(restore.stderr).toMatch(/--from FILE is needed/);
    });
  });
});

describe('PostgreSQL', () => {
  const { key, file: recordsKeyFile } = keyFile();
  let cluster: RunPostgres;
  let clinic: Clinic | undefined;
  beforeAll(async () => {
    cluster = await runPostgres();
  }, 60_000);
  afterEach(async () => {
    await clinic?.server.close();
    clinic = undefined;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const pgEnv = (url: string): NodeJS.ProcessEnv => ({ CONFIDANT_DATABASE_URL: url });
  const storeAt = (url: string): Promise<Store> => openConfiguredStore({ dataDir: tempDir('unused'), database: { url } }, { recordsKey: key });
  const tablesIn = async (url: string): Promise<number> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0]!.n;
    } finally {
      await client.end();
    }
  };

  it('a pg_dump taken mid-session restores to exactly the records at that moment, with a verified chain', { timeout: 180_000 }, async () => {
    const url = await cluster.createDatabase('clinic');
    const dataDir = tempDir('pg-live');
    const backup = path.join(tempDir('pg-out'), 'clinic.dump');
    clinic = await startClinic(configFor(dataDir, recordsKeyFile, url));
    const { seed } = clinic;
    const session = await beforeBackup(clinic);
    const atBackup = await liveRecords(clinic);

    const taken = await admin(['backup', '--out', backup], dataDir, recordsKeyFile, pgEnv(url));
    expect(taken.stderr).toBe('');
    expect(taken.code).toBe(0);
    expect(taken.stdout).toMatch(/PostgreSQL \(pg_dump\) backup written .*records key, which is NOT in the backup/s);
    expect(magicOf(backup, 5)).toBe('PGDMP');
    expect(modeOf(backup)).toBe(0o600);

    // While the server is connected, its database is not replaced, even with --force.
    await clinic.server.store.audit.head();
    const busy = await restoreStore(configFor(dataDir, recordsKeyFile, url), backup, { force: true }).then(
      () => 'restored',
      (err: Error) => err.message,
    );
    expect(busy).toMatch(/is in use: \d+ connection\(s\) from Confidant servers/);

    await afterBackup(clinic, session);
    const live = await liveRecords(clinic);
    await endSession(clinic, session);
    clinic = undefined;

    // Into another, empty database.
    const fresh = await cluster.createDatabase('restored');
    const restored = await admin(['restore', '--from', backup], tempDir('pg-restored'), recordsKeyFile, pgEnv(fresh));
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored .* into the database "restored(_[0-9a-f]+)?" at 127\.0\.0\.1:\d+: audit chain verified/);
    for (const run of [taken, restored]) expect(run.stdout + run.stderr).not.toContain(cluster.password);
    const store = await storeAt(fresh);
    try {
      expect(await store.audit.verify()).toMatchObject({ ok: true });
      expectRestoredAsAtBackup(await recordsOf(store, seed), atBackup, live);
    } finally {
      await store.close();
    }

    // Over the original, its server stopped: only with --force (--clean drops what is there).
    const refused = await admin(['restore', '--from', backup], dataDir, recordsKeyFile, pgEnv(url));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds tables: .*--force/);
    const forced = await admin(['restore', '--from', backup, '--force'], dataDir, recordsKeyFile, pgEnv(url));
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const inPlace = await storeAt(url);
    try {
      expect(await inPlace.audit.verify()).toMatchObject({ ok: true });
      expectRestoredAsAtBackup(await recordsOf(inPlace, seed), atBackup, live);
    } finally {
      await inPlace.close();
    }

    // A dump of a database whose audit log was altered is refused before anything is replaced.
    const client = new pg.Client({ connectionString: fresh });
    await client.connect();
    await client.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    await client.query(`UPDATE audit_log SET address = '10.0.0.9' WHERE seq = 2`);
    await client.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    await client.end();
    const alteredDump = path.join(tempDir('pg-altered'), 'altered.dump');
    await backupStore(configFor(tempDir('pg-unused'), recordsKeyFile, fresh), alteredDump);
    const target = await cluster.createDatabase('target');
    const altered = await admin(['restore', '--from', alteredDump], tempDir('pg-unused'), recordsKeyFile, pgEnv(target));
    expect(altered.code).toBe(1);
    expect(altered.stderr).toMatch(/audit chain does not verify under this server's records key \(entry 2: entry 2 was altered\)/);
    expect(await tablesIn(target)).toBe(0);

    // A SQLite backup is not restored into PostgreSQL.
    const sqliteFile = path.join(tempDir('pg-kind'), 'clinic.sqlite');
    writeFileSync(sqliteFile, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(100)]));
    const wrongKind = await admin(['restore', '--from', sqliteFile], tempDir('pg-unused'), recordsKeyFile, pgEnv(target));
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toMatch(/is a SQLite backup, but this server keeps its records in PostgreSQL/);
  });

  it('hands pg_dump the password in PGPASSWORD, never in its arguments or a message; a failed dump leaves no file and is on the log', async () => {
    const url = await cluster.createDatabase('failing');
    const bin = tempDir('fake-bin');
    // A pg_dump that writes down what it was given, repeats the password, and fails.
    writeFileSync(
      path.join(bin, 'pg_dump'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/argv"\nprintf '%s' "$PGPASSWORD" > "${bin}/password"\necho "pg_dump: error: refused for $PGPASSWORD" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const out = tempDir('fake-out');
    const run = await admin(['backup', '--out', path.join(out, 'clinic.dump')], tempDir('pg-unused'), recordsKeyFile, { ...pgEnv(url), CONFIDANT_PG_BIN: bin });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/pg_dump failed \(exit 1\): pg_dump: error: refused for \*\*\*/);
    expect(run.stdout + run.stderr).not.toContain(cluster.password);
    expect(readFileSync(path.join(bin, 'password'), 'utf8')).toBe(cluster.password);
    const argv = readFileSync(path.join(bin, 'argv'), 'utf8');
    expect(argv).toMatch(/^--format=custom$/m);
    expect(argv).toMatch(/^--dbname=postgres:\/\/confidant@127\.0\.0\.1:\d+\/failing(_[0-9a-f]+)?$/m);
    expect(argv).not.toContain(cluster.password);
    expect(argv).not.toContain(encodeURIComponent(cluster.password));
    expect(readdirSync(out)).toEqual([]);
    const store = await storeAt(url);
    try {
      expect((await store.audit.list()).map((e) => [e.event, e.detail])).toEqual([
        ['audit.backed_up', 'postgres'],
        ['audit.backup_failed', 'postgres'],
      ]);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('says to install postgresql-client when pg_dump or pg_restore is missing, never printing the URL', async () => {
    const secret = 'sekrit-Pa55word';
    const url = `postgres://confidant:${secret}@127.0.0.1:1/clinic`;
    const dump = path.join(tempDir('pg-missing'), 'clinic.dump');
    writeFileSync(dump, Buffer.concat([Buffer.from('PGDMP'), randomBytes(64)]));
    const env = { ...pgEnv(url), CONFIDANT_PG_BIN: '/nonexistent-postgresql/bin' };
    const backup = await admin(['backup', '--out', path.join(tempDir('pg-missing'), 'new.dump')], tempDir('pg-unused'), recordsKeyFile, env);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/pg_dump not found in \/nonexistent-postgresql\/bin \(CONFIDANT_PG_BIN\): install the postgresql-client package/);
    const restore = await admin(['restore', '--from', dump], tempDir('pg-unused'), recordsKeyFile, env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/pg_restore not found in .*: install the postgresql-client package/);
    for (const run of [backup, restore]) expect(run.stdout + run.stderr).not.toMatch(new RegExp(`${secret}|127\\.0\\.0\\.1:1/`));
  }, 30_000);
});
