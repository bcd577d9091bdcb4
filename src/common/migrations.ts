/**
 * The one migration runner for Confidant's SQLite databases: the server's store and the
 * console's note vault. SQLite's `user_version` records the schema version; migrations are
 * numbered 1..n, and each runs in one transaction together with the bump of `user_version`,
 * so a failing migration leaves the database at the previous version. A database written by a
 * newer program is refused, never downgraded.
 */
import type { Database } from 'better-sqlite3';

/** One numbered step; `context` is what the database's migrations need besides it (the server's records keys). */
export interface NumberedMigration<Context> {
  version: number;
  up(db: Database, context: Context): void;
}

export interface MigrationRun {
  /** Stop at this version (tests of one migration); the newest otherwise. */
  target?: number;
  /** The error for migrations that are not numbered 1..n. */
  misnumbered(): Error;
  /** The error for a database at `current`, newer than the `newest` this program knows. */
  newer(current: number, newest: number): Error;
  /** Told of each version applied, after its transaction committed. */
  applied(version: number): void;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` up to the newest (or the target) version; returns the versions applied. */
export function runMigrations<Context>(
  db: Database,
  migrations: readonly NumberedMigration<Context>[],
  context: Context,
  run: MigrationRun,
): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  if (sorted.some((m, i) => m.version !== i + 1)) throw run.misnumbered();
  const newest = sorted.length;
  const current = schemaVersion(db);
  if (current > newest) throw run.newer(current, newest);
  const goal = run.target ?? newest;
  const applied: number[] = [];
  for (const m of sorted) {
    if (m.version <= current || m.version > goal) continue;
    db.transaction(() => {
      m.up(db, context);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
    run.applied(m.version);
  }
  return applied;
}
