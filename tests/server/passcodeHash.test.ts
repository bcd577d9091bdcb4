/**
 * Invitation passcodes are a keyed hash (HMAC-SHA-256 under a key derived from the records
 * key), not scrypt: a join costs no slow hash, a copy of the database without the records key
 * cannot test a guess, and invitations issued with an scrypt hash still open once and are
 * moved to the keyed form then.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasscodeHasher, isLegacyPasscodeHash } from '../../src/server/auth/passcodeHash.js';
import { hashSecret, verifySecret } from '../../src/server/auth/password.js';
import { startDemo, type RunningDemo } from '../../src/server/demo.js';
import { newInvitationSecrets } from '../../src/server/sessions/invitationService.js';
import { deriveRecordsSubkey } from '../../src/server/store/recordKeys.js';
import { openStore } from '../../src/server/store/store.js';
import { IssuedInvitation } from '../../src/shared/protocol.js';
import { api, FAST_SCRYPT } from './support/api.js';
import { login } from './support/testServer.js';
import { TestClient } from './support/wsClient.js';

let demo: RunningDemo;
let facToken: string;

beforeAll(async () => {
  demo = await startDemo({ invitations: 0, workers: 1, participantDir: '/nonexistent', start: { scrypt: FAST_SCRYPT } });
  facToken = await login(demo.info);
});
afterAll(async () => {
  await demo.close();
});

async function hello(token: string, passcode: string) {
  const client = await TestClient.connect(demo.info.wsUrl);
  try {
    return await client.request('hello', { as: 'participant', invite: token, passcode });
  } finally {
    await client.close();
  }
}

const other = (passcode: string): string => (passcode === '000000' ? '111111' : '000000');

describe('the keyed passcode hash', () => {
  it('is what a new invitation stores, and opens it with the right passcode only, with no scrypt check', async () => {
    const res = await api(demo.server, 'POST', `/api/sessions/${demo.info.sessionId}/invitations`, facToken, { participantRef: 'IOP-KEYED-1' });
    expect(res.status).toBe(201);
    const issued = IssuedInvitation.parse(res.body);
    const stored = (await demo.server.store.invitations.byId(issued.invitation.id))!.passcodeHash;
    expect(stored).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(issued.passcode);

    const before = demo.server.hashing.verifications;
    expect((await hello(issued.token, other(issued.passcode))).ok).toBe(false);
    const right = await hello(issued.token, issued.passcode);
    expect(right.ok).toBe(true);
    expect(demo.server.hashing.verifications - before).toBe(0);
  });

  it('salts each invitation: the same passcode twice gives two different stored forms', () => {
    const hasher = createPasscodeHasher(randomBytes(32));
    const a = hasher.hash('123456');
    const b = hasher.hash('123456');
    expect(a).not.toBe(b);
    expect(hasher.verify('123456', a) && hasher.verify('123456', b)).toBe(true);
    expect(hasher.verify('123457', a)).toBe(false);
  });

  it('cannot be tested without the records key: under another key no passcode matches', () => {
    const stored = createPasscodeHasher(randomBytes(32)).hash('123456');
    const withoutKey = createPasscodeHasher(randomBytes(32));
    for (let guess = 0; guess < 2_000; guess++) expect(withoutKey.verify(String(guess).padStart(6, '0'), stored)).toBe(false);
    expect(withoutKey.verify('123456', stored)).toBe(false);
  });

  it('uses a key of its own, derived from the records key, that is none of the other purposes', async () => {
    const recordsKey = randomBytes(32);
    const passcodeKey = deriveRecordsSubkey(recordsKey, 'passcode');
    expect(passcodeKey.equals(deriveRecordsSubkey(recordsKey, 'lookup'))).toBe(false);
    expect(passcodeKey.equals(deriveRecordsSubkey(recordsKey, 'audit-chain'))).toBe(false);
    expect(passcodeKey.equals(recordsKey)).toBe(false);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-passcode-'));
    try {
      const store = openStore(dir, recordsKey);
      const stored = store.passcodes.hash('654321');
      await store.close();
      expect(createPasscodeHasher(passcodeKey).verify('654321', stored)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses malformed stored forms rather than matching them', () => {
    const hasher = createPasscodeHasher(randomBytes(32));
    for (const stored of ['', 'hmac-sha256$$', 'hmac-sha256$AAAA$BBBB', 'scrypt$1024$8$1$AAAAAAAAAAA$BBBBBBBBBBBBBBBBBBBBBB', hasher.hash('1').slice(0, -2)]) {
      expect(hasher.verify('1', stored)).toBe(false);
    }
  });
});

describe('an invitation issued with an scrypt hash', () => {
  async function legacyInvitation(ref: string) {
    const secrets = newInvitationSecrets(demo.server.store.passcodes);
    const legacyHash = await hashSecret(secrets.passcode, { N: 1024, r: 8, p: 1 });
    expect(isLegacyPasscodeHash(legacyHash)).toBe(true);
    const invitation = await demo.server.store.invitations.create({
      sessionId: demo.info.sessionId,
      participantRef: ref,
      tokenHash: secrets.tokenHash,
      passcodeHash: legacyHash,
    });
    return { ...secrets, id: invitation.id, legacyHash };
  }

  it('keeps its hash after a wrong passcode', async () => {
    const legacy = await legacyInvitation('IOP-LEGACY-1');
    const before = demo.server.hashing.verifications;
    expect((await hello(legacy.token, other(legacy.passcode))).ok).toBe(false);
    expect(demo.server.hashing.verifications - before).toBe(1);
    expect((await demo.server.store.invitations.byId(legacy.id))!.passcodeHash).toBe(legacy.legacyHash);
  });

  it('opens with its passcode through the scrypt check once, then holds the keyed hash and opens without scrypt', async () => {
    const legacy = await legacyInvitation('IOP-LEGACY-2');
    const before = demo.server.hashing.verifications;
    expect((await hello(legacy.token, legacy.passcode)).ok).toBe(true);
    expect(demo.server.hashing.verifications - before).toBe(1);
    const stored = (await demo.server.store.invitations.byId(legacy.id))!.passcodeHash;
    expect(stored.startsWith('hmac-sha256$')).toBe(true);
    expect(demo.server.store.passcodes.verify(legacy.passcode, stored)).toBe(true);
    expect(await verifySecret(legacy.passcode, legacy.legacyHash)).toBe(true);

    // The first connection has closed; the same link and passcode open it again, now keyed.
    const { participantId } = (await demo.server.store.invitations.byId(legacy.id))!;
    await expect.poll(() => demo.server.rooms.get(demo.info.sessionId)?.hasPeer(participantId)).not.toBe(true);
    const again = demo.server.hashing.verifications;
    expect((await hello(legacy.token, legacy.passcode)).ok).toBe(true);
    expect(demo.server.hashing.verifications - again).toBe(0);
  });

  it('is not rehashed over a re-issue that happened meanwhile', async () => {
    const legacy = await legacyInvitation('IOP-LEGACY-3');
    const fresh = newInvitationSecrets(demo.server.store.passcodes);
    expect(await demo.server.store.invitations.reissue(legacy.id, fresh.tokenHash, fresh.passcodeHash, new Date())).toBe(true);
    expect(await demo.server.store.invitations.rehashPasscode(legacy.id, legacy.legacyHash, demo.server.store.passcodes.hash(legacy.passcode))).toBe(false);
    expect((await demo.server.store.invitations.byId(legacy.id))!.passcodeHash).toBe(fresh.passcodeHash);
  });
});
