/**
 * One PostgreSQL cluster for a whole vitest run (its globalSetup, in vitest.config.ts and in
 * tests/server/postgres/vitest.config.ts), stopped at the end. Tests reach it through
 * `runPostgres()` (postgres.ts); the PostgreSQL pass also runs its demo servers on it.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type Postgres } from './postgres';

let cluster: Postgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPostgres();
  const { url, host, port, user, password } = cluster;
  project.provide('postgres', { url, host, port, user, password });
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
