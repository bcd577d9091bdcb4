/** Databases, columns and rows for migration tests, whatever shape earlier migrations gave their tables. */
import Database from 'better-sqlite3';

/** An empty database in memory, enforcing foreign keys as the store does. */
export function memoryDatabase(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The names of a table's columns, in order. */
export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

/**
 * A row with `values` and a placeholder in every other required column, whatever the earlier
 * migrations made those columns: a migration's test is about its own tables, not theirs.
 */
export function insertRow(db: Database.Database, table: string, values: Record<string, string | number>): void {
  const columns = db.prepare<[], { name: string; type: string; notnull: number; dflt_value: unknown }>(`PRAGMA table_info(${table})`).all();
  const row: Record<string, string | number | Buffer> = { ...values };
  for (const c of columns) {
    if (c.name in row || c.notnull === 0 || c.dflt_value !== null) continue;
    row[c.name] = c.type.toUpperCase() === 'BLOB' ? Buffer.from([0]) : 'x';
  }
  const names = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(row);
}
