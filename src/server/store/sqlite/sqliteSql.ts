/**
 * `Sql` over one better-sqlite3 connection. SQLite runs each statement at once, in this
 * thread; what the adapter adds is that a transaction, which now spans awaits, has the
 * connection to itself: while one is open, statements and transactions from outside it wait
 * for it to end (in the order they came), so nothing from elsewhere lands inside it or reads
 * what it has not yet committed. Transactions begin IMMEDIATE, taking the write lock at
 * once, so another process writing the same file waits (busy timeout) rather than failing
 * halfway.
 */
import type { Database, Statement } from 'better-sqlite3';
import { UnitOfWorkEndedError, type Sql, type SqlDatabase, type SqlValue } from '../sql.js';
import type { WalCheckpointer } from './walCheckpointer.js';

/** `checkpointer` (a file's database): told of each commit, and closed before the connection. */
export function sqliteSql(db: Database, checkpointer?: WalCheckpointer): SqlDatabase {
  const statements = new Map<string, Statement>();
  const prepare = (text: string): Statement => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const all = <Row>(text: string, params: readonly SqlValue[] = []): Row[] => prepare(text).all(...params) as Row[];
  const one = <Row>(text: string, params: readonly SqlValue[] = []): Row | undefined => prepare(text).get(...params) as Row | undefined;
  const run = (text: string, params: readonly SqlValue[] = []): number => prepare(text).run(...params).changes;
  /** A statement outside a transaction committed on its own, if it wrote. */
  const autocommitted = <T>(text: string, result: T): T => {
    if (checkpointer && !prepare(text).readonly) checkpointer.wrote();
    return result;
  };

  /**
   * The open transaction's end, which everything from outside it waits for. Each waiter
   * checks it again and acts with no await in between, so two never both find it free.
   */
  let held: Promise<void> | undefined;

  const transaction = async <T>(work: (tx: Sql) => Promise<T>): Promise<T> => {
    while (held) await held;
    let release!: () => void;
    held = new Promise((resolve) => (release = resolve));
    let open = true;
    const check = (): void => {
      if (!open) throw new UnitOfWorkEndedError();
    };
    const tx: Sql = {
      dialect: 'sqlite',
      all: async (text, params) => (check(), all(text, params)),
      one: async (text, params) => (check(), one(text, params)),
      run: async (text, params) => (check(), run(text, params)),
      transaction: async (inner) => (check(), inner(tx)),
    };
    try {
      db.exec('BEGIN IMMEDIATE');
      const result = await work(tx);
      db.exec('COMMIT');
      checkpointer?.wrote();
      return result;
    } catch (err) {
      // A failed COMMIT (a full disk) leaves the transaction open: it is rolled back too.
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    } finally {
      open = false;
      held = undefined;
      release();
    }
  };

  let closed = false;
  return {
    dialect: 'sqlite',
    // A statement outside a transaction runs at once unless one is open.
    async all(text, params) {
      while (held) await held;
      return autocommitted(text, all(text, params));
    },
    async one(text, params) {
      while (held) await held;
      return autocommitted(text, one(text, params));
    },
    async run(text, params) {
      while (held) await held;
      return autocommitted(text, run(text, params));
    },
    transaction,
    async close() {
      if (closed) return;
      closed = true;
      while (held) await held;
      await checkpointer?.close();
      db.close();
    },
  };
}
