/**
 * A fresh database on a PostgreSQL server, for demo mode (`CONFIDANT_DATABASE_URL=… npm run
 * server -- --demo`): made beside the one the URL names, used for this run, and dropped when
 * the run ends, as the SQLite demo's data directory is. The URL's user needs CREATEDB.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DatabaseOpenError, parseDatabaseUrl } from './open.js';

export interface FreshDatabase {
  /** The URL of the new database (the given one with its database name replaced). */
  url: string;
  name: string;
  /** Drops it, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createFreshDatabase(url: string, prefix = 'confidant_demo'): Promise<FreshDatabase> {
  const target = parseDatabaseUrl(url);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  try {
    await onServer(url, (c) => c.query(`CREATE DATABASE ${name}`));
  } catch (err) {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    if (code === '42501') {
      throw new DatabaseOpenError(`user "${target.user}" may not create databases at ${target.where}: demo mode needs CREATEDB (or run the demo on SQLite)`);
    }
    throw new DatabaseOpenError(`cannot make a fresh database for the demo at ${target.where}`, { cause: err });
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    url: fresh.toString(),
    name,
    drop: () => onServer(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
