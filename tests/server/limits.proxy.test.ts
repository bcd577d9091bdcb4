/**
 * Behind a TLS terminator every client arrives from the proxy's address. The client's own
 * address is taken from X-Forwarded-For only when the socket's peer is a configured trusted
 * proxy, and then per-address limits count per forwarded address; anyone else's header is
 * ignored.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import type { RunningDemo } from '../../src/server/demo.js';
import { clientAddressResolver } from '../../src/server/http/support.js';
import { FAST_SCRYPT } from './support/api.js';
import { postJson } from './support/rawHttp.js';
import { sharedTestDemo } from './support/sharedDemo.js';

const request = (peer: string, forwardedFor?: string | string[]) => ({
  socket: { remoteAddress: peer },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('the client address', () => {
  const behind = clientAddressResolver(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']);

  it('is the socket peer when the peer is not a trusted proxy, whatever the header says', () => {
    expect(behind(request('198.51.100.7', '203.0.113.1'))).toBe('198.51.100.7');
    expect(clientAddressResolver([])(request('127.0.0.1', '203.0.113.1'))).toBe('127.0.0.1');
  });

  it('is the rightmost untrusted hop when the peer is a trusted proxy', () => {
    // Whatever the client put in the header sits left of what our proxy appended.
    expect(behind(request('127.0.0.1', 'spoofed, 192.0.2.55, 203.0.113.9'))).toBe('203.0.113.9');
    expect(behind(request('127.0.0.1', '203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
    expect(behind(request('::ffff:127.0.0.1', ['192.0.2.1', '203.0.113.9']))).toBe('203.0.113.9');
    expect(behind(request('2001:db8::1', '2001:db9::5'))).toBe('2001:db9::5');
  });

  it('falls back to the peer when the header is missing or unreadable, and to the leftmost hop when every hop is trusted', () => {
    expect(behind(request('127.0.0.1'))).toBe('127.0.0.1');
    expect(behind(request('127.0.0.1', 'not-an-address'))).toBe('127.0.0.1');
    expect(behind(request('127.0.0.1', '203.0.113.9, garbage'))).toBe('127.0.0.1');
    expect(behind(request('127.0.0.1', '10.0.0.9, 10.0.0.8'))).toBe('10.0.0.9');
  });

  it('is one spelling per address, so limits cannot be dodged by writing it differently', () => {
    expect(behind(request('::ffff:198.51.100.7'))).toBe('198.51.100.7');
    expect(behind(request('127.0.0.1', '::FFFF:203.0.113.9'))).toBe('203.0.113.9');
    expect(behind(request('127.0.0.1', '2001:DB9:0::5'))).toBe('2001:db9::5');
  });
});

describe('the trustedProxies setting', () => {
  const base = { HOME: '/home/x' } as NodeJS.ProcessEnv;

  it('is none by default, and a comma-separated list of addresses and CIDR ranges in the environment', () => {
    expect(loadConfig({ env: base }).trustedProxies).toEqual([]);
    expect(loadConfig({ env: { ...base, CONFIDANT_TRUSTED_PROXIES: '10.0.0.5, 192.168.0.0/16,2001:db8::/32' } }).trustedProxies).toEqual([
      '10.0.0.5',
      '192.168.0.0/16',
      '2001:db8::/32',
    ]);
  });

  it('refuses an entry that is not an address or a range, naming the setting', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/', '2001:db8::/129', '10.0.0.0/8x']) {
      expect(() => loadConfig({ env: { ...base, CONFIDANT_TRUSTED_PROXIES: bad } })).toThrow(ConfigError);
      expect(() => loadConfig({ env: { ...base, CONFIDANT_TRUSTED_PROXIES: bad } })).toThrow(/trustedProxies \(CONFIDANT_TRUSTED_PROXIES\)/);
    }
  });
});

/** One participant hello on a fresh socket with the given X-Forwarded-For; its error code. */
async function helloFrom(demo: RunningDemo, forwardedFor: string): Promise<string> {
  const ws = new WebSocket(demo.info.wsUrl, { headers: { 'x-forwarded-for': forwardedFor } });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const answer = new Promise<{ ok: boolean; error?: { code: string } }>((resolve) =>
      ws.once('message', (raw) => resolve(JSON.parse(String(raw)) as { ok: boolean; error?: { code: string } })),
    );
    ws.send(JSON.stringify({ id: 1, method: 'hello', data: { as: 'participant', invite: 'never-issued-token', passcode: '123456' } }));
    const a = await answer;
    return a.ok ? 'OK' : (a.error?.code ?? '?');
  } finally {
    ws.close();
  }
}

const wrongSignIn = (demo: RunningDemo, username: string, forwardedFor: string) =>
  postJson(demo.info.httpUrl, '/api/login', { username, password: 'wrong-password-x', totp: '000000' }, { headers: { 'x-forwarded-for': forwardedFor } });

const limits = { addressFailures: 3, helloAddressFailures: 2 };

describe('behind a trusted proxy', () => {
  const demo = sharedTestDemo(0, { trustedProxies: ['127.0.0.1'] }, { scrypt: FAST_SCRYPT, limits });

  it('counts failed sign-ins per forwarded address, and records that address', async () => {
    for (let i = 0; i < 3; i++) expect((await wrongSignIn(demo, `ghost-${i}`, '203.0.113.1')).status).toBe(401);
    expect((await wrongSignIn(demo, 'ghost-x', '203.0.113.1')).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await wrongSignIn(demo, 'ghost-y', '203.0.113.2')).status).toBe(401);
    const addresses = (await demo.server.store.audit.list()).filter((e) => e.event === 'login.failed').map((e) => e.address);
    expect(new Set(addresses)).toEqual(new Set(['203.0.113.1', '203.0.113.2']));
  });

  it('counts failed hellos per forwarded address', async () => {
    expect(await helloFrom(demo, '203.0.113.7')).toBe('UNAUTHENTICATED');
    expect(await helloFrom(demo, '203.0.113.7')).toBe('UNAUTHENTICATED');
    expect(await helloFrom(demo, '203.0.113.7')).toBe('RATE_LIMITED');
    expect(await helloFrom(demo, '203.0.113.8')).toBe('UNAUTHENTICATED');
  });
});

describe('with no trusted proxy', () => {
  const demo = sharedTestDemo(0, {}, { scrypt: FAST_SCRYPT, limits });

  it('ignores a spoofed X-Forwarded-For: every failed sign-in counts against the real peer', async () => {
    for (let i = 0; i < 3; i++) expect((await wrongSignIn(demo, `ghost-${i}`, `203.0.113.${i + 10}`)).status).toBe(401);
    expect((await wrongSignIn(demo, 'ghost-x', '203.0.113.99')).status).toBe(429);
    const addresses = (await demo.server.store.audit.list()).filter((e) => e.event === 'login.failed').map((e) => e.address);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
  });

  it('ignores a spoofed X-Forwarded-For on the WebSocket upgrade', async () => {
    expect(await helloFrom(demo, '203.0.113.20')).toBe('UNAUTHENTICATED');
    expect(await helloFrom(demo, '203.0.113.21')).toBe('UNAUTHENTICATED');
    expect(await helloFrom(demo, '203.0.113.22')).toBe('RATE_LIMITED');
  });
});
