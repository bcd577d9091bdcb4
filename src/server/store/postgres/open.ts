/**
 * Opens the server's PostgreSQL database from a connection URL: checks the URL, reaches the
 * server once (briefly, so a wrong address fails at start-up with a clear message rather
 * than at the first request), brings the schema up to date, and hands back the adapter over
 * a pool. No message here repeats the URL's password.
 *
 * The pool's limits are what a session server needs: a statement is cancelled by the server
 * after `statementTimeoutMs` (and given up on by the client a little later, should the
 * network itself go silent), a connection attempt after `connectTimeoutMs`, and a transaction
 * left idle (work stuck between two statements) is ended by the server after a minute, so a
 * database that goes away makes requests fail promptly instead of hanging, and once it is back
 * new connections simply work.
 */
import pg from 'pg';
import type { SqlDatabase } from '../sql.js';
import { migratePostgres } from './migrations/run.js';
import { postgresSql, sqliteLikeTypes } from './postgresSql.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection to the server (default 5 s). */
  connectTimeoutMs?: number;
  /** How long one statement may run before the server cancels it (default 10 s). */
  statementTimeoutMs?: number;
}

const DEFAULTS = { maxConnections: 10, connectTimeoutMs: 5_000, statementTimeoutMs: 10_000 };
/** A transaction idle this long holds locks for nobody: the server ends its session. */
const IDLE_IN_TRANSACTION_MS = 60_000;
/** The client's own limit, past the server's: only a silent network should ever reach it. */
const CLIENT_GRACE_MS = 5_000;

/** Why the database could not be opened, in words an administrator can act on. */
export class DatabaseOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseOpenError';
  }
}

interface Target {
  /** host:port, for messages. */
  where: string;
  user: string;
  database: string;
  password: string;
}

const MALFORMED = 'the database URL is malformed: expected postgres://user:password@host:port/database';

/** Checks the URL's shape without ever putting it (or its password) into a message. */
export function parseDatabaseUrl(url: string): Target {
  let parsed: URL;
  let target: Target;
  try {
    parsed = new URL(url);
    const socketHost = parsed.searchParams.get('host');
    const host = parsed.hostname || socketHost || 'localhost';
    const user = decodeURIComponent(parsed.username);
    target = {
      where: `${host}:${parsed.port || '5432'}`,
      user,
      database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user,
      password: decodeURIComponent(parsed.password),
    };
  } catch {
    // new URL's and decodeURIComponent's own errors may quote the input: not repeated.
    throw new DatabaseOpenError(MALFORMED);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseOpenError(`the database URL must begin postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  return target;
}

/** The pool's configuration: these limits, and values read as the SQLite adapter gives them. */
export function poolConfig(url: string, options: PostgresOptions = {}): pg.PoolConfig {
  const { maxConnections, connectTimeoutMs, statementTimeoutMs } = { ...DEFAULTS, ...options };
  return {
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + CLIENT_GRACE_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    keepAlive: true,
    application_name: 'confidant',
    types: sqliteLikeTypes(),
  };
}

/** `password` taken out of a driver's message, should one ever quote it. */
function redact(message: string, password: string): string {
  return password ? message.split(password).join('***') : message;
}

/** A failed first connection, said plainly. */
function unreachable(err: unknown, target: Target, connectTimeoutMs: number): DatabaseOpenError {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? redact(err.message, target.password) : String(err);
  if (code === '28P01') {
    return new DatabaseOpenError(`the database at ${target.where} refused the password for user "${target.user}"`, { cause: err });
  }
  if (code === '3D000') {
    return new DatabaseOpenError(`the database "${target.database}" does not exist at ${target.where}`, { cause: err });
  }
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return new DatabaseOpenError(`the database at ${target.where} refused the connection: ${message}`, { cause: err });
  }
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'no such host'
        : /timeout/i.test(message)
          ? `no answer within ${connectTimeoutMs} ms`
          : message || String(code);
  return new DatabaseOpenError(`cannot reach the database at ${target.where}: ${reason}`, { cause: err });
}

/** Opens, migrates and returns the database at `url`. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<SqlDatabase> {
  const target = parseDatabaseUrl(url);
  const config = poolConfig(url, options);
  // The first connection checks the server and runs the migrations. It has no statement or
  // client time limit, since a migration (or waiting for another server's) may take a while,
  // and it is closed afterwards, taking any session state with it.
  const { statement_timeout: _s, query_timeout: _q, idle_in_transaction_session_timeout: _i, ...firstConfig } = config;
  const first = new pg.Client(firstConfig);
  // A connection dropping between two statements is an event, not only a failed statement.
  first.on('error', () => undefined);
  try {
    await first.connect();
  } catch (err) {
    await first.end().catch(() => undefined);
    throw unreachable(err, target, config.connectionTimeoutMillis ?? DEFAULTS.connectTimeoutMs);
  }
  try {
    await migratePostgres(first);
  } finally {
    await first.end().catch(() => undefined);
  }
  return postgresSql(new pg.Pool(config));
}
