import { describe, expect, it } from 'vitest';
import {
  CheckInData,
  e2eeMethods,
  DisplayName,
  HelloData,
  METHOD_NAMES,
  RequestFrame,
  isMethodName,
  mediaMethods,
  messagingMethods,
  moderationMethods,
  requestSchemas,
  sessionMethods,
} from '../../src/shared/protocol';
import { ipcRequests } from '../../src/shared/ipc';

describe('display names', () => {
  it('are trimmed and must be 1 to 40 characters', () => {
    expect(DisplayName.parse('  Robin ')).toBe('Robin');
    expect(DisplayName.safeParse('   ').success).toBe(false);
    expect(DisplayName.safeParse('x'.repeat(40)).success).toBe(true);
    expect(DisplayName.safeParse('x'.repeat(41)).success).toBe(false);
  });

  it('refuse control characters, including line separators', () => {
    for (const bad of ['Ro\nbin', 'Ro\u0000bin', 'Ro\u001bbin', 'Ro\u2028bin', 'Ro\u007fbin']) {
      expect(DisplayName.safeParse(bad).success).toBe(false);
    }
    expect(DisplayName.parse('Zoë-Ann O’Neil')).toBe('Zoë-Ann O’Neil');
  });
});

describe('request frames', () => {
  it('need an integer id, a method name and optional data', () => {
    expect(RequestFrame.safeParse({ id: 1, method: 'hello', data: {} }).success).toBe(true);
    expect(RequestFrame.safeParse({ id: 1, method: 'leave' }).success).toBe(true);
    expect(RequestFrame.safeParse({ id: '1', method: 'hello' }).success).toBe(false);
    expect(RequestFrame.safeParse({ id: 1.5, method: 'hello' }).success).toBe(false);
    expect(RequestFrame.safeParse({ id: -1, method: 'hello' }).success).toBe(false);
    expect(RequestFrame.safeParse({ method: 'hello' }).success).toBe(false);
    expect(RequestFrame.safeParse([1, 'hello']).success).toBe(false);
  });

  it('name only methods of the protocol', () => {
    expect(isMethodName('checkIn')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName('createPlainTransport')).toBe(false);
  });
});

describe('the method table', () => {
  it('holds every area\'s records, each method in one area only (a name in two would silently lose one)', () => {
    const areas = [sessionMethods, mediaMethods, messagingMethods, moderationMethods, e2eeMethods].map((area) => Object.keys(area));
    expect(areas.flat().sort()).toEqual([...METHOD_NAMES].sort());
    expect(new Set(areas.flat()).size).toBe(METHOD_NAMES.length);
  });
});

describe('hello', () => {
  it('distinguishes participants from clinicians', () => {
    expect(HelloData.parse({ as: 'participant', invite: 't', passcode: '123456' }).as).toBe('participant');
    expect(HelloData.parse({ as: 'clinician', ticket: 'b', sessionId: 's' }).as).toBe('clinician');
    // The bearer token never travels in a hello (the console's renderer never holds it).
    expect(HelloData.safeParse({ as: 'clinician', token: 'b', sessionId: 's' }).success).toBe(false);
    expect(HelloData.safeParse({ as: 'admin', token: 'b' }).success).toBe(false);
    expect(HelloData.safeParse({ as: 'participant', invite: 't' }).success).toBe(false);
  });
});

describe('checkIn', () => {
  it('needs a name, the agreement version and a media choice; location is optional', () => {
    const ok = CheckInData.parse({ displayName: ' Sam ', agreementVersion: 'v1', media: { audio: true, video: false } });
    expect(ok.displayName).toBe('Sam');
    expect(CheckInData.safeParse({ displayName: 'Sam', agreementVersion: 'v1' }).success).toBe(false);
    expect(
      CheckInData.safeParse({
        displayName: 'Sam',
        agreementVersion: 'v1',
        media: { audio: true, video: true },
        location: 'home',
        emergencyContact: 'x'.repeat(501),
      }).success,
    ).toBe(false);
  });
});

describe('media methods', () => {
  it('refuse DTLS parameters without fingerprints and RTP parameters without codecs', () => {
    expect(requestSchemas.connectTransport.safeParse({ transportId: 't', dtlsParameters: { fingerprints: [] } }).success).toBe(false);
    expect(
      requestSchemas.produce.safeParse({ transportId: 't', kind: 'video', rtpParameters: { codecs: [] } }).success,
    ).toBe(false);
    expect(requestSchemas.createTransport.safeParse({ direction: 'plain' }).success).toBe(false);
  });
});

describe('IPC requests', () => {
  it('accept only http(s) server addresses and normalise them to an origin', () => {
    const signIn = ipcRequests['auth:signIn'];
    expect(signIn.parse({ serverUrl: 'http://127.0.0.1:4780/some/path', username: 'a', password: 'b' }).serverUrl).toBe(
      'http://127.0.0.1:4780',
    );
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@host/', 'nope']) {
      expect(signIn.safeParse({ serverUrl: bad, username: 'a', password: 'b' }).success).toBe(false);
    }
  });
});
