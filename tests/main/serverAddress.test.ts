/**
 * Which server addresses the console signs in to: https anywhere, plain http only to this
 * computer (loopback), because the password, TOTP code, bearer token and note bodies travel
 * over that connection.
 */
import { describe, expect, it } from 'vitest';
import { ServerSession } from '../../src/main/services/serverSession';
import { ipcRequests } from '../../src/shared/ipc';
import { ProtocolError } from '../../src/shared/protocol';

const signIn = ipcRequests['auth:signIn'];
const parse = (serverUrl: string) => signIn.safeParse({ serverUrl, username: 'a', password: 'b' });

const CLEARTEXT_ELSEWHERE = [
  'http://sessions.example-clinic.org',
  'http://sessions.example-clinic.org:443/',
  'http://10.0.0.5:4780',
  'http://192.168.1.20',
  'http://[2001:db8::1]:4780',
  'http://[::ffff:10.0.0.5]/',
  'http://128.0.0.1',
  'http://localhost.example-clinic.org',
  'http://127.0.0.1.nip.io',
  'ws://sessions.example-clinic.org',
];

describe('server addresses', () => {
  it('accept https for any host', () => {
    expect(parse('https://sessions.example-clinic.org/path').data?.serverUrl).toBe('https://sessions.example-clinic.org');
    expect(parse('https://10.0.0.5:4780').success).toBe(true);
  });

  it('accept plain http only to this computer: localhost, 127.0.0.0/8 and ::1', () => {
    for (const url of ['http://localhost:4780', 'http://127.0.0.1:4780', 'http://127.12.0.3', 'http://[::1]:4780', 'http://LOCALHOST/', 'http://127.1/']) {
      expect(parse(url).success, url).toBe(true);
    }
  });

  it('refuse plain http to anywhere else, saying why', () => {
    for (const url of CLEARTEXT_ELSEWHERE) {
      const result = parse(url);
      expect(result.success, url).toBe(false);
      expect(result.error?.issues[0]?.message, url).toMatch(/https:\/\//);
    }
  });

  it('are refused by the signed-in connection itself before anything is sent', async () => {
    const sent: string[] = [];
    // Nothing may leave this machine in a test: a request that got this far is recorded, never made.
    const server = new ServerSession(async (input) => {
      sent.push(String(input));
      throw new Error('no network in tests');
    });
    for (const serverUrl of CLEARTEXT_ELSEWHERE) {
      const attempt = server.signIn({ serverUrl, username: 'a', password: 'b', totp: undefined });
      await expect(attempt, serverUrl).rejects.toBeInstanceOf(ProtocolError);
      await expect(attempt, serverUrl).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/https:\/\//) });
    }
    expect(sent).toEqual([]);
    expect(server.current()).toBeNull();
  });
});
