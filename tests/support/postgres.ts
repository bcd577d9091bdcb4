/**
 * PostgreSQL for the tests: a throwaway cluster (src/server/store/postgres/throwawayCluster.ts,
 * Debian's own server binaries; nothing is mocked), one per vitest run shared by its tests
 * (postgresRun.ts), or one of a test's own where it stops and starts the server itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startThrowawayCluster, type Postgres, type PostgresAccess } from '../../src/server/store/postgres/throwawayCluster';

export { postgresBinDir, type Postgres, type PostgresAccess } from '../../src/server/store/postgres/throwawayCluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one cluster (postgresRun.ts). */
    postgres: PostgresAccess;
  }
}

/** A cluster of the caller's own: started now, stopped by its `stop()` (or at exit). */
export const startPostgres = (): Promise<Postgres> => startThrowawayCluster();

/** Connection strings to `database` on the cluster `access` names. */
const urlOn = (access: PostgresAccess, database: string): string =>
  `postgres://${access.user}:${encodeURIComponent(access.password)}@${access.host}:${access.port}/${database}`;

/**
 * The run's one cluster (postgresRun.ts) when the run has one, else a cluster of the test's
 * own. A test given the run's cluster shares it: its databases get a unique suffix, and its
 * `stop()` leaves the cluster running. Tests that stop and start the server itself (outages)
 * use `startPostgres()`.
 */
export type RunPostgres = Pick<Postgres, keyof PostgresAccess | 'createDatabase' | 'stop'>;

export async function runPostgres(): Promise<RunPostgres> {
  const { inject } = await import('vitest');
  let shared: PostgresAccess | undefined;
  try {
    shared = inject('postgres');
  } catch {
    shared = undefined;
  }
  if (!shared) return startPostgres();
  const access = shared;
  return {
    ...access,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const unique = `${name}_${randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: urlOn(access, 'postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${unique}`);
      } finally {
        await client.end();
      }
      return urlOn(access, unique);
    },
    stop: async () => undefined,
  };
}
