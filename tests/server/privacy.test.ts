/**
 * What is said in group stays in group: a whole moderated session whose names, messages,
 * locations, emergency contacts and removal reasons carry marker strings leaves none of
 * them in any file of the data directory (database, WAL and SHM included, read as bytes
 * while the server runs and after it has closed) nor anywhere in the server's log output,
 * which is captured at debug level for the whole session. Secrets (passcodes, invitation
 * and bearer tokens) must not appear in either.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningDemo } from '../../src/server/demo.js';
import { setLogLevel } from '../../src/common/logger.js';
import { admitted, AGREEMENT_VERSION_OF, connectClinician, connectParticipant, login, startTestDemo } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

const MARKERS = {
  name: 'MARKER-NAME-7f3a',
  otherName: 'MARKER-NAME-b21c',
  location: 'MARKER-LOCATION-91d0',
  emergencyContact: 'MARKER-CONTACT-4e6b',
  toFacilitator: 'MARKER-MESSAGE-c0de',
  toClient: 'MARKER-MESSAGE-f00d',
  reason: 'MARKER-REASON-5a5a',
  wrongPasscode: 'MARKER-PASSCODE-0000',
};

let demo: RunningDemo;
const logged: string[] = [];
let secrets: string[] = [];

beforeAll(async () => {
  setLogLevel('debug');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  demo = await startTestDemo(3);
});
afterAll(async () => {
  await demo.close();
  vi.restoreAllMocks();
  setLogLevel('error');
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every marker or secret found in any file of the data directory, as `file: marker`. */
function leaksInDataDir(needles: string[]): string[] {
  return filesUnder(demo.info.dataDir).flatMap((file) => {
    const bytes = readFileSync(file);
    return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8'))).map((n) => `${path.basename(file)}: ${n}`);
  });
}

async function moderatedSession(): Promise<void> {
  const fac = await connectClinician(demo.info);
  secrets = [
    await login(demo.info),
    demo.info.facilitator.totpSecret ?? 'no-secret',
    demo.info.supervisor.totpSecret ?? 'no-secret',
    ...demo.info.invitations.flatMap((i) => [i.token, i.passcode]),
  ];

  const probe = await TestClient.connect(demo.info.wsUrl);
  await probe.request('hello', { as: 'participant', invite: demo.info.invitations[0]!.token, passcode: MARKERS.wrongPasscode });
  await probe.close();

  const { client, participantId, hello } = await connectParticipant(demo.info, demo.info.invitations[0]!);
  await client.call('checkIn', {
    displayName: MARKERS.name,
    agreementVersion: AGREEMENT_VERSION_OF(hello),
    media: { audio: true, video: true },
    location: MARKERS.location,
    emergencyContact: MARKERS.emergencyContact,
  });
  await fac.client.call('admit', { participantId });
  await client.waitFor('admitted');
  const other = await admitted(demo.info, demo.info.invitations[1]!, fac.client, MARKERS.otherName);

  await fac.client.call('verify', { participantId, method: 'verbal-code' });
  await client.call('message', { to: 'facilitator', text: MARKERS.toFacilitator });
  await fac.client.waitFor('message');
  await fac.client.call('message', { to: participantId, text: MARKERS.toClient });
  await client.waitFor('message');
  expect(await fac.client.call('crisisInfo', { participantId })).toEqual({
    location: MARKERS.location,
    emergencyContact: MARKERS.emergencyContact,
  });
  await fac.client.call('mute', { participantId: other.participantId, kind: 'audio' });
  await fac.client.call('lock', { locked: true });
  await fac.client.call('remove', { participantId, reason: MARKERS.reason });
  await client.closed;
  // The reason was recorded, sealed: readable through the store, never as bytes on disk.
  expect((await demo.server.store.moderation.removals(demo.info.sessionId))[0]?.reason).toBe(MARKERS.reason);
  await fac.client.call('end', {});
  await other.client.closed;
}

/** Whether this run's demo servers keep their records in PostgreSQL (tests/server/postgres). */
const onPostgres = Boolean(process.env.CONFIDANT_DATABASE_URL);

describe('privacy of a moderated session', () => {
  // About the SQLite file the demo wrote (the PostgreSQL pass has none; there the records are
  // sealed by the same repositories, which the contract suite runs on both).
  it.skipIf(onPostgres)('leaves no name, message, location, contact, reason or secret in the data directory or the logs', async () => {
    await moderatedSession();
    const needles = [...Object.values(MARKERS), ...secrets];

    // While the server runs, the WAL and SHM files hold the latest pages.
    expect(filesUnder(demo.info.dataDir).some((f) => f.endsWith('-wal'))).toBe(true);
    // A positive control: what is meant to be stored (a clinician's account name) is found.
    expect(leaksInDataDir(['Dr. Ana Demo'])).not.toEqual([]);
    expect(leaksInDataDir(needles)).toEqual([]);
    await demo.server.close();
    expect(leaksInDataDir(needles)).toEqual([]);

    const log = logged.join('');
    // The capture really did see the session (ids and events are logged).
    expect(log).toContain('client.removed');
    expect(log).toContain('room.ended');
    expect(needles.filter((n) => log.includes(n))).toEqual([]);
  });
});
