/**
 * Server configuration: a JSON file (path from `--config` or CONFIDANT_CONFIG) with
 * environment variables overriding it, validated with zod. A missing or invalid setting
 * stops the server with a message naming it (DESIGN.md, "Server configuration").
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isValidTimeZone, localTimeZone } from '../shared/clinicWeeks.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** The participant page as Vite builds it (`out/participant`), relative to this file. */
export const DEFAULT_PARTICIPANT_DIR = fileURLToPath(new URL('../../out/participant', import.meta.url));

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME && env.HOME !== '' ? env.HOME : os.homedir();
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(base, 'confidant');
}

export function coreCount(): number {
  return Math.max(1, os.availableParallelism());
}

const Port = z.coerce.number().int().min(0).max(65535);

/** An IP address, or a CIDR range of them (`10.0.0.0/8`, `2001:db8::/32`). */
function isAddressOrRange(entry: string): boolean {
  const match = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
  const family = match ? isIP(match[1] ?? '') : 0;
  if (!match || family === 0) return false;
  return match[2] === undefined || Number(match[2]) <= (family === 4 ? 32 : 128);
}

/** A list in a config file; comma-separated in the environment. */
const TrustedProxies = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v),
  z.array(z.string().refine(isAddressOrRange, { message: 'each entry must be an IP address or a CIDR range, e.g. 10.0.0.5 or 10.0.0.0/24' })),
);
/**
 * The first media port: worker i listens on rtcPort + i, UDP and TCP (one WebRtcServer per
 * worker, see media/workerPool.ts). 0 lets each worker take any free ports (demo mode and
 * tests, where several servers share a host); a clinic's firewall needs a fixed one.
 */
const RtcPort = z.coerce
  .number()
  .int()
  .refine((n) => n === 0 || (n >= 1024 && n <= 65535), { message: 'must be 0 (any free port) or from 1024 to 65535' });

/** `{ url }`, or the URL alone (as the environment gives it). Only its scheme is checked here; opening it checks the rest. */
const DatabaseSetting = z.preprocess(
  (v) => (typeof v === 'string' ? { url: v } : v),
  z
    .object({
      url: z.string().refine((u) => /^postgres(ql)?:\/\//.test(u), { message: 'must be a postgres:// or postgresql:// URL' }),
    })
    .strict(),
);

const ConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: Port.default(4780),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    dataDir: z.string().min(1),
    rtcListenIp: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
    rtcAnnouncedIp: z.string().min(1).optional(),
    rtcPort: RtcPort.default(40000),
    workers: z.coerce.number().int().min(1).max(coreCount()).default(coreCount()),
    waitingRoomOpensMinutes: z.coerce.number().int().min(0).max(24 * 60).default(15),
    /** How long a client whose connection dropped (or whose server restarted) keeps its place. */
    reconnectGraceSeconds: z.coerce.number().int().min(5).max(600).default(60),
    participantDir: z.string().min(1).default(DEFAULT_PARTICIPANT_DIR),
    /** A file outside the data directory holding the records key (32 bytes, base64). */
    recordsKeyFile: z.string().min(1).optional(),
    /**
     * The Ed25519 key (PKCS#8 PEM) that signs audit checkpoints, outside the data directory;
     * made (0600) when missing. Default: `audit-signing.pem` beside the records key file.
     */
    auditSigningKeyFile: z.string().min(1).optional(),
    /**
     * The clinic's IANA time zone: its weeks (Monday to Sunday on its wall clock) are the
     * weeks of attendance. Default: this host's zone (UTC on most servers in a cloud).
     */
    timeZone: z
      .string()
      .refine(isValidTimeZone, 'not an IANA time zone (for example America/Chicago)')
      .default(() => localTimeZone()),
    /**
     * Where clients reach this server (the base of invitation links), when that is not the
     * address it listens on: behind a load balancer or a DNS name. No trailing slash needed.
     */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /**
     * Where clients and consoles reach this server itself, when several servers share one
     * database (one name per server: `https://s1.clinic.example`): the address a session's
     * lease names, to which every other server sends its clients. Default: the address it
     * listens on. `publicUrl` stays the fleet's shared address, for invitation links.
     */
    serverUrl: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /**
     * Proxies (TLS terminators, load balancers) whose X-Forwarded-For this server believes,
     * so that per-address limits count each client rather than the proxy. None by default:
     * the socket's peer is the client (see http/support.ts, `clientAddressResolver`).
     */
    trustedProxies: TrustedProxies.default([]),
    /**
     * Where the records live: without it, SQLite in `dataDir` (nothing else to run); with a
     * PostgreSQL URL (`database: { url }` in the file, or CONFIDANT_DATABASE_URL), that
     * database, which several servers may share. The URL is never echoed in an error.
     */
    database: DatabaseSetting.optional(),
    /**
     * This server's name among servers sharing one database: the leases of the sessions it
     * hosts are held under it. Default: this host's name and port, so a restarted server takes
     * its own sessions back at once.
     */
    serverId: z.string().min(1).max(200).optional(),
    /**
     * How long a hosted session's lease runs without renewal (renewed every third of it): how
     * soon another server may take a session over from one that died.
     */
    sessionLeaseSeconds: z.coerce.number().int().min(2).max(300).default(15),
    /**
     * Where Prometheus reads this server's figures (`GET /metrics`): a port of its own, on
     * `metricsHost` (loopback by default), never the public one. Absent: no metrics endpoint.
     */
    metricsPort: Port.optional(),
    metricsHost: z.string().min(1).default('127.0.0.1'),
  })
  .strict();

export type ServerConfig = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Each setting's environment variable, used both to read it and to name it in errors. */
const ENV_NAMES: Record<keyof ServerConfig, string> = {
  host: 'CONFIDANT_HOST',
  port: 'CONFIDANT_PORT',
  tlsCert: 'CONFIDANT_TLS_CERT',
  tlsKey: 'CONFIDANT_TLS_KEY',
  dataDir: 'CONFIDANT_DATA_DIR',
  rtcListenIp: 'CONFIDANT_RTC_LISTEN_IP',
  rtcAnnouncedIp: 'CONFIDANT_RTC_ANNOUNCED_IP',
  rtcPort: 'CONFIDANT_RTC_PORT',
  workers: 'CONFIDANT_WORKERS',
  waitingRoomOpensMinutes: 'CONFIDANT_WAITING_ROOM_OPENS_MINUTES',
  reconnectGraceSeconds: 'CONFIDANT_RECONNECT_GRACE_SECONDS',
  participantDir: 'CONFIDANT_PARTICIPANT_DIR',
  recordsKeyFile: 'CONFIDANT_RECORDS_KEY_FILE',
  auditSigningKeyFile: 'CONFIDANT_AUDIT_SIGNING_KEY_FILE',
  timeZone: 'CONFIDANT_TIME_ZONE',
  publicUrl: 'CONFIDANT_PUBLIC_URL',
  serverUrl: 'CONFIDANT_SERVER_URL',
  trustedProxies: 'CONFIDANT_TRUSTED_PROXIES',
  database: 'CONFIDANT_DATABASE_URL',
  serverId: 'CONFIDANT_SERVER_ID',
  sessionLeaseSeconds: 'CONFIDANT_SESSION_LEASE_SECONDS',
  metricsPort: 'CONFIDANT_METRICS_PORT',
  metricsHost: 'CONFIDANT_METRICS_HOST',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function settingName(key: string): string {
  const env = (ENV_NAMES as Record<string, string | undefined>)[key];
  return env ? `${key} (${env})` : key;
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** Addresses that mean every interface: fine to listen on, not an address to send anyone to. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

/** Validates a settings object (already merged from file and environment). */
export function parseConfig(input: Record<string, unknown>): ServerConfig {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    if (issue?.code === 'unrecognized_keys') {
      // A config file written for the port range: say what took its place.
      const replaced = issue.keys.some((k) => k === 'rtcMinPort' || k === 'rtcMaxPort');
      throw new ConfigError(
        `unknown setting: ${issue.keys.join(', ')}${replaced ? ` (the media port range is now one port per worker: ${settingName('rtcPort')})` : ''}`,
      );
    }
    const name = typeof key === 'string' ? settingName(key) : 'configuration';
    const missing = typeof key === 'string' && input[key] === undefined;
    throw new ConfigError(`${missing ? 'missing' : 'invalid'} setting ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  if (config.rtcPort + config.workers - 1 > 65535) {
    throw new ConfigError(
      `invalid setting ${settingName('rtcPort')}: its ${config.workers} workers need ports up to ${config.rtcPort + config.workers - 1}, past 65535`,
    );
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    const absent = config.tlsCert === undefined ? 'tlsCert' : 'tlsKey';
    throw new ConfigError(`missing setting ${settingName(absent)}: a TLS certificate needs its key and vice versa`);
  }
  if (!isLoopbackHost(config.host) && config.tlsCert === undefined) {
    throw new ConfigError(
      `missing setting ${settingName('tlsCert')}: serving on ${config.host}, off loopback, requires TLS`,
    );
  }
  // Servers sharing a database send clients to each other by this address: a wildcard one
  // (every interface) is nowhere a client can go.
  if (config.database !== undefined && config.serverUrl === undefined && WILDCARD_HOSTS.has(config.host)) {
    throw new ConfigError(
      `missing setting ${settingName('serverUrl')}: listening on ${config.host} with a shared database, the other servers need the address clients reach this one at (e.g. https://s1.clinic.example)`,
    );
  }
  return config;
}

/**
 * Reads the config file (when given) and overlays the environment. Empty environment
 * variables count as unset.
 */
export function loadConfig(options: { configPath?: string; env?: NodeJS.ProcessEnv }): ServerConfig {
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? (env.CONFIDANT_CONFIG || undefined);
  let fromFile: Record<string, unknown> = {};
  if (configPath !== undefined) {
    let raw: string;
    try {
      raw = readFileSync(configPath, 'utf8');
    } catch {
      throw new ConfigError(`cannot read the config file (--config / CONFIDANT_CONFIG): ${configPath}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ConfigError(`the config file is not valid JSON (--config / CONFIDANT_CONFIG): ${configPath}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ConfigError(`the config file must hold a JSON object (--config / CONFIDANT_CONFIG): ${configPath}`);
    }
    fromFile = json as Record<string, unknown>;
  }
  const merged: Record<string, unknown> = { dataDir: defaultDataDir(env), ...fromFile };
  for (const [key, envName] of Object.entries(ENV_NAMES)) {
    const v = env[envName];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  return parseConfig(merged);
}
