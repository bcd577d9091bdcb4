/**
 * The one seam between the repositories and a database: statements written once, in the SQL
 * both SQLite and PostgreSQL speak, with `?` for each parameter, run through an `Sql`. Each
 * database has its adapter (sqlite/sqliteSql.ts over better-sqlite3, postgres/postgresSql.ts
 * over `pg`); each prepares a statement once and keeps it (SQLite in a cache per connection,
 * PostgreSQL as a named statement per connection). Where the dialects differ (a list
 * parameter, a row lock), the repository asks `dialect` and says so beside the statement.
 *
 * Everything is asynchronous, so the same repositories run over a database in another process.
 * A transaction hands its work an `Sql` of its own: statements through it are inside the
 * transaction, and a transaction begun through it joins the one already open. After the
 * transaction ends that `Sql` refuses every statement, so work that outlives its unit of work
 * cannot slip into someone else's.
 */

/** What a statement's `?` may be bound to. Lists go only where the statement says so (`anyOf`). */
export type SqlValue = string | number | Buffer | null | readonly string[];

export type Dialect = 'sqlite' | 'postgres';

export interface Sql {
  readonly dialect: Dialect;
  /** Every row the statement returns. */
  all<Row>(text: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  one<Row>(text: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a write; resolves to how many rows it changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` as one transaction: all of it is kept, or (when it throws, or the commit
   * fails) none of it. Inside a transaction already, `work` joins it.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends Sql {
  /** Waits for the work under way, then lets the connections go. */
  close(): Promise<void>;
}

/**
 * `column` is one of `list`: the condition in this dialect, and the one parameter it takes
 * (SQLite reads the list as JSON; PostgreSQL binds it as a text array).
 */
export function anyOf(dialect: Dialect, column: string, list: readonly string[]): { condition: string; param: SqlValue } {
  return dialect === 'postgres'
    ? { condition: `${column} = ANY(?::text[])`, param: list }
    : { condition: `${column} IN (SELECT value FROM json_each(?))`, param: JSON.stringify(list) };
}

/** Thrown by an `Sql` used after its transaction ended. */
export class UnitOfWorkEndedError extends Error {
  constructor() {
    super('this unit of work has ended; its statements can no longer run');
    this.name = 'UnitOfWorkEndedError';
  }
}
