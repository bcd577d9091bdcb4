import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, coreCount, loadConfig } from '../../src/server/config.js';

const base = { HOME: '/home/x' } as NodeJS.ProcessEnv;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'confidant-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('server configuration', () => {
  it('defaults to loopback demo-friendly settings', () => {
    const c = loadConfig({ env: { ...base, XDG_DATA_HOME: '/data' } });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 4780,
      dataDir: '/data/confidant',
      rtcListenIp: '127.0.0.1',
      rtcPort: 40000,
      workers: coreCount(),
      waitingRoomOpensMinutes: 15,
    });
    expect(c.participantDir.endsWith(path.join('out', 'participant'))).toBe(true);
    expect(loadConfig({ env: base }).dataDir).toBe('/home/x/.local/share/confidant');
  });

  it('lets the environment override the config file', () => {
    const dir = tmp;
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 5000, rtcAnnouncedIp: '203.0.113.5', waitingRoomOpensMinutes: 5 }));
    const c = loadConfig({ env: { ...base, CONFIDANT_CONFIG: file, CONFIDANT_PORT: '6000' } });
    expect(c.port).toBe(6000);
    expect(c.rtcAnnouncedIp).toBe('203.0.113.5');
    expect(c.waitingRoomOpensMinutes).toBe(5);
  });

  it('names the setting that is invalid', () => {
    expect(() => loadConfig({ env: { ...base, CONFIDANT_PORT: 'eighty' } })).toThrow(/CONFIDANT_PORT/);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_WORKERS: String(coreCount() + 1) } })).toThrow(/CONFIDANT_WORKERS/);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_RTC_PORT: '80' } })).toThrow(/invalid setting rtcPort \(CONFIDANT_RTC_PORT\)/);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_RTC_PORT: '65535', CONFIDANT_WORKERS: '2' } })).toThrow(/rtcPort.*past 65535/);
    expect(loadConfig({ env: { ...base, CONFIDANT_RTC_PORT: '0' } }).rtcPort).toBe(0);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_RTC_LISTEN_IP: 'not-an-ip' } })).toThrow(/CONFIDANT_RTC_LISTEN_IP/);
  });

  it('refuses a non-loopback host without TLS', () => {
    expect(() => loadConfig({ env: { ...base, CONFIDANT_HOST: '0.0.0.0' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_HOST: '0.0.0.0' } })).toThrow(/CONFIDANT_TLS_CERT/);
    expect(() => loadConfig({ env: { ...base, CONFIDANT_TLS_CERT: '/c.pem' } })).toThrow(/CONFIDANT_TLS_KEY/);
  });

  it('asks a server sharing a database on every interface for the address clients reach it at', () => {
    const shared = { ...base, CONFIDANT_HOST: '0.0.0.0', CONFIDANT_TLS_CERT: '/c.pem', CONFIDANT_TLS_KEY: '/k.pem', CONFIDANT_DATABASE_URL: 'postgres://u:p@db/confidant' };
    expect(() => loadConfig({ env: shared })).toThrow(/missing setting serverUrl \(CONFIDANT_SERVER_URL\)/);
    expect(loadConfig({ env: { ...shared, CONFIDANT_SERVER_URL: 'https://s1.clinic.example/' } }).serverUrl).toBe('https://s1.clinic.example');
    // Alone (SQLite), nobody is sent to it by another server.
    const { CONFIDANT_DATABASE_URL: _db, ...alone } = shared;
    expect(loadConfig({ env: alone }).serverUrl).toBeUndefined();
    expect(() => loadConfig({ env: { ...shared, CONFIDANT_SERVER_URL: 'ftp://s1' } })).toThrow(/serverUrl/);
  });

  it('reports an unreadable or malformed config file', () => {
    expect(() => loadConfig({ configPath: '/nonexistent/config.json', env: base })).toThrow(/config file/);
    const dir = tmp;
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ configPath: file, env: base })).toThrow(/not valid JSON/);
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ configPath: file, env: base })).toThrow(/unknown setting: prot/);
    // The port range gave way to one port per worker; an old file is told so.
    writeFileSync(file, JSON.stringify({ rtcMinPort: 40000, rtcMaxPort: 49999 }));
    expect(() => loadConfig({ configPath: file, env: base })).toThrow(/unknown setting: rtcMinPort, rtcMaxPort .*rtcPort \(CONFIDANT_RTC_PORT\)/);
  });
});
