/** One PostgreSQL cluster for the whole PostgreSQL pass (tests/support/postgres.ts), stopped at its end. */
import type { TestProject } from 'vitest/node';
import { startPostgres, type Postgres } from '../../support/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let cluster: Postgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPostgres();
  project.provide('postgresUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
