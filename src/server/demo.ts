/**
 * Demo mode (PROTOCOL.md, "Demo mode"): a server on loopback with a throwaway data
 * directory, seeded with a facilitator, their supervisor, a session starting now and its
 * invitations, all with fresh random credentials.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClinicianRole, DemoInfo } from '../shared/protocol.js';
import { hashSecret, LEGACY_PASSCODE_SCRYPT, PASSWORD_SCRYPT, type ScryptParams } from './auth/password.js';
import { randomPassword } from './auth/secrets.js';
import { base32Encode, newTotpSecret } from './auth/totp.js';
import { createLogger, errorFields } from '../common/logger.js';
import { parseConfig, type ConfigInput } from './config.js';
import { newInvitationSecrets } from './sessions/invitationService.js';
import { startServer, type RunningServer, type StartOptions } from './server.js';
import { createFreshDatabase, type FreshDatabase } from './store/postgres/fresh.js';
import { RECORDS_KEY_BYTES } from './store/recordSealer.js';
import type { Store } from './store/store.js';

const log = createLogger('demo');

export interface DemoOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** How many invitations to seed (4 by default). */
  invitations?: number;
  /** Media workers (default: one per core). */
  workers?: number;
  participantDir?: string;
  /** Extra settings, e.g. an RTC port range for tests. */
  config?: Partial<ConfigInput>;
  /** Clock, limits and hashing cost, for tests. */
  start?: Omit<StartOptions, 'recordsKey'>;
  /**
   * A PostgreSQL server to run on, in a fresh database of the demo's own (dropped when it
   * stops); '' for SQLite. Absent: CONFIDANT_DATABASE_URL if set, else SQLite.
   */
  databaseUrl?: string;
}

export interface RunningDemo {
  info: DemoInfo;
  server: RunningServer;
  /** Stops the server and deletes the demo's data directory. */
  close(): Promise<void>;
}

interface DemoAccount {
  id: string;
  username: string;
  password: string;
  totpSecret: string;
}

export interface DemoSeed {
  facilitator: DemoAccount;
  supervisor: DemoAccount;
  admin: DemoAccount;
  sessionId: string;
  invitations: { participantRef: string; token: string; passcode: string }[];
}

/**
 * Demo mode's hashing cost, for its passwords too. Its accounts live as long as its throwaway
 * data directory and their passwords are printed on stdout, so the password cost (which
 * protects a stolen database of real accounts) would buy nothing but a slower demo, and
 * slower tests and benches built on it.
 */
export const DEMO_SCRYPT: ScryptParams = LEGACY_PASSCODE_SCRYPT;

/** One demo clinician with a random password and an enrolled second factor (printed). */
async function demoClinician(
  store: Store,
  username: string,
  displayName: string,
  roles: ClinicianRole[],
  scrypt: ScryptParams,
): Promise<DemoAccount> {
  const password = randomPassword();
  const clinician = await store.clinicians.create({ username, displayName, roles, passwordHash: await hashSecret(password, scrypt) });
  // Every clinician sign-in needs a second factor, the demo's too.
  const secret = newTotpSecret();
  await store.clinicians.setTotpSecret(clinician.id, secret);
  return { id: clinician.id, username: clinician.username, password, totpSecret: base32Encode(secret) };
}

/**
 * Seeds the demo accounts, a live session and `invitationCount` invitations. `scrypt` is the
 * password cost of the server they are for (a lower one is rehashed at first sign-in).
 */
export async function seedDemo(store: Store, invitationCount: number, now = new Date(), scrypt: ScryptParams = PASSWORD_SCRYPT): Promise<DemoSeed> {
  const [facilitator, supervisor, admin] = await Promise.all([
    demoClinician(store, 'facilitator', 'Dr. Ana Demo', ['facilitator'], scrypt),
    demoClinician(store, 'supervisor', 'Dr. Sam Demo', ['supervisor'], scrypt),
    demoClinician(store, 'admin', 'Clinic Admin', ['admin'], scrypt),
  ]);
  await store.clinicians.addSupervision(supervisor.id, facilitator.id);
  const session = await store.sessions.create({
    title: 'Tuesday evening IOP group',
    startsAt: now,
    endsAt: new Date(now.getTime() + 90 * 60_000),
    facilitatorId: facilitator.id,
    state: 'live',
  });
  const invitations = await Promise.all(
    Array.from({ length: invitationCount }, async (_, i) => {
      const { token, passcode, tokenHash, passcodeHash } = newInvitationSecrets(store.passcodes);
      const participantRef = `IOP-${1042 + i}`;
      await store.invitations.create({ sessionId: session.id, participantRef, tokenHash, passcodeHash });
      return { participantRef, token, passcode };
    }),
  );
  return { facilitator, supervisor, admin, sessionId: session.id, invitations };
}

const printable = ({ username, password, totpSecret }: DemoAccount) => ({ username, password, totpSecret });

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'confidant-demo-'));
  // On PostgreSQL (CONFIDANT_DATABASE_URL): a fresh database of its own, dropped at the end.
  const databaseUrl = options.databaseUrl === undefined ? process.env.CONFIDANT_DATABASE_URL || undefined : options.databaseUrl || undefined;
  let fresh: FreshDatabase | undefined;
  const removeDataDir = async (): Promise<void> => {
    rmSync(dataDir, { recursive: true, force: true });
    await fresh?.drop().catch((err: unknown) => log.warn('demo.database_not_dropped', { database: fresh?.name, ...errorFields(err) }));
  };
  let server: RunningServer;
  try {
    if (databaseUrl !== undefined) fresh = await createFreshDatabase(databaseUrl);
    const config = parseConfig({
      // Like its HTTP port: any free media ports, so demos and tests run side by side.
      rtcPort: 0,
      ...options.config,
      host: '127.0.0.1',
      port: options.port ?? 0,
      dataDir,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.participantDir !== undefined ? { participantDir: options.participantDir } : {}),
      ...(fresh ? { database: { url: fresh.url } } : {}),
    });
    // The demo's records die with its data directory, so a key for this run is right.
    server = await startServer(config, { scrypt: DEMO_SCRYPT, ...options.start, recordsKey: randomBytes(RECORDS_KEY_BYTES) });
  } catch (err) {
    await removeDataDir();
    throw err;
  }
  try {
    const seed = await seedDemo(server.store, options.invitations ?? 4, new Date(), options.start?.scrypt ?? DEMO_SCRYPT);
    const info: DemoInfo = {
      httpUrl: server.httpUrl,
      wsUrl: server.wsUrl,
      dataDir,
      facilitator: printable(seed.facilitator),
      supervisor: printable(seed.supervisor),
      admin: printable(seed.admin),
      sessionId: seed.sessionId,
      invitations: seed.invitations.map((i) => ({ ...i, url: `${server.httpUrl}/join/${i.token}` })),
    };
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= server.close().finally(() => removeDataDir());
      return closing;
    };
    return { info, server, close };
  } catch (err) {
    await server.close();
    await removeDataDir();
    throw err;
  }
}
