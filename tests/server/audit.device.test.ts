/**
 * Which console workstation an audited act came from (issue 20's breach report): the console's
 * main process names its workstation (`X-Confidant-Device`, services/deviceId.ts) on every
 * request; the server puts it on the audit entries of that request (sign-in, roster views,
 * invitations), and on the acts of the call the workstation's session ticket opened (an
 * admission over the WebSocket). Anything not shaped like an id is no device. The chain
 * verifies throughout.
 */
import { describe, expect, it } from 'vitest';
import { ServerSession } from '../../src/main/services/serverSession';
import { newDeviceId, loadDeviceId } from '../../src/main/services/deviceId';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClinicianHelloResult, Roster } from '../../src/shared/protocol';
import { freshTotp } from '../support/totpCodes';
import { knock } from './support/testServer.js';
import { sharedTestDemo } from './support/sharedDemo.js';
import { TestClient } from './support/wsClient.js';

describe('the console workstation on the audit log', () => {
  const demo = sharedTestDemo(2);

  it('is kept in a file of its own, made once', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'confidant-device-'));
    try {
      const first = loadDeviceId(dir);
      expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(loadDeviceId(dir)).toBe(first);
      expect(statSync(path.join(dir, 'device-id')).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(dir, 'device-id'), 'utf8').trim()).toBe(first);
      expect(newDeviceId()).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on the entries of its sign-in, its reads and the acts of its call', async () => {
    const device = newDeviceId();
    const { facilitator } = demo.info;
    // The console's own main-process client, as the console uses it.
    const server = new ServerSession(fetch, device);
    await server.signIn({ serverUrl: demo.info.httpUrl, username: facilitator.username, password: facilitator.password, totp: await freshTotp(facilitator.totpSecret!) });
    Roster.parse(await server.api('GET', `/api/sessions/${demo.info.sessionId}/roster`, undefined, Roster));
    // The call, opened with a ticket this workstation asked for.
    const { ticket } = await server.api('POST', `/api/sessions/${demo.info.sessionId}/ticket`, {}, (await import('../../src/shared/protocol')).SessionTicket);
    const socket = await TestClient.connect(demo.info.wsUrl);
    ClinicianHelloResult.parse(await socket.call('hello', { as: 'clinician', ticket, sessionId: demo.info.sessionId }));
    const robin = await knock(demo.info, demo.info.invitations[0]!, 'Robin');
    await socket.call('admit', { participantId: robin.participantId });

    // Another request naming something that is not an id: no device.
    const login = await fetch(`${demo.info.httpUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-confidant-device': 'not an id; DROP TABLE' },
      body: JSON.stringify({ username: facilitator.username, password: facilitator.password, totp: await freshTotp(facilitator.totpSecret!) }),
    });
    expect(login.status).toBe(200);

    const entries = await demo.server.store.audit.list();
    const last = (event: string) => entries.filter((e) => e.event === event).at(-1);
    const logins = entries.filter((e) => e.event === 'login.ok');
    expect(logins.at(-2)!.deviceId).toBe(device);
    expect(logins.at(-1)!.deviceId).toBeNull();
    expect(last('roster.viewed')!.deviceId).toBe(device);
    expect(last('client.admitted')).toMatchObject({ subjectId: robin.participantId, deviceId: device });
    expect(await demo.server.store.audit.verify()).toMatchObject({ ok: true });
    for (const c of [socket, robin.client]) await c.close();
  });
});
