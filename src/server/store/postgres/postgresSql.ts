/**
 * `Sql` over a pool of PostgreSQL connections (`pg`). Each statement text is converted once
 * to numbered placeholders and named after a hash of itself, so every connection parses and
 * plans it once and then only binds it. A lone statement borrows a connection for itself;
 * a transaction keeps one for its whole unit of work, so its statements, and only its, run
 * inside it. PostgreSQL, unlike the SQLite adapter, runs transactions side by side: work
 * that reads a row and then writes it locks it first (`SELECT … FOR UPDATE`).
 *
 * Connections are borrowed and returned here rather than through `pool.query`, which throws
 * a connection away after any failed statement (a unique violation included) and with it the
 * statements prepared on it. A connection goes only when it was lost; while borrowed it has a
 * listener for its `error` event, without which a connection dropping between two statements
 * of a transaction would be an uncaught exception.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../../common/logger.js';
import { UnitOfWorkEndedError, type Sql, type SqlDatabase, type SqlValue } from '../sql.js';
import { connectionLost, errorCode } from './errors.js';
import { toNumberedPlaceholders } from './placeholders.js';

const log = createLogger('postgres');

/**
 * Past this many distinct statement texts, new ones run unnamed. The repositories' texts are
 * constants, so this is never reached unless values are being written into statements, and
 * then each connection would otherwise keep every one of them.
 */
const MAX_NAMED_STATEMENTS = 1000;

/**
 * How this pool reads values: as the SQLite adapter gives them. A bigint (count(*), a
 * generated id, a time in ms) is a JS number (pg's default is a string), refused if it would
 * lose precision; a boolean (`EXISTS (…)`, `a = b`) is 1 or 0. bytea stays a Buffer, real
 * numbers stay numbers. Only this pool's connections read so: pg's global parsers are left
 * alone.
 */
export function sqliteLikeTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, 'text', (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError('a bigint from the database is beyond what a JS number holds exactly');
    return n;
  });
  types.setTypeParser(pg.types.builtins.BOOL, 'text', (value: string) => (value === 't' ? 1 : 0));
  return types;
}

interface Prepared {
  name: string | undefined;
  text: string;
}

export function postgresSql(pool: pg.Pool): SqlDatabase {
  const prepared = new Map<string, Prepared>();
  let warnedUnnamed = false;
  const prepare = (text: string): Prepared => {
    const known = prepared.get(text);
    if (known) return known;
    const converted = toNumberedPlaceholders(text);
    if (prepared.size >= MAX_NAMED_STATEMENTS) {
      if (!warnedUnnamed) log.warn('statements.too_many_distinct', { limit: MAX_NAMED_STATEMENTS });
      warnedUnnamed = true;
      return { name: undefined, text: converted };
    }
    const entry = { name: `s_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`, text: converted };
    prepared.set(text, entry);
    return entry;
  };
  const execute = async (client: pg.PoolClient, text: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> => {
    const { name, text: numbered } = prepare(text);
    return client.query({ ...(name ? { name } : {}), text: numbered, values: [...params] });
  };
  /** The three kinds of statement on one connection, as `Sql` has them. */
  const on = (client: pg.PoolClient): Pick<Sql, 'all' | 'one' | 'run'> => ({
    all: async <Row>(text: string, params?: readonly SqlValue[]) => (await execute(client, text, params)).rows as Row[],
    one: async <Row>(text: string, params?: readonly SqlValue[]) => (await execute(client, text, params)).rows[0] as Row | undefined,
    run: async (text, params) => (await execute(client, text, params)).rowCount ?? 0,
  });

  // An idle connection that drops (the server restarted, a network blip) is taken out of the
  // pool by pg; the event only needs hearing, or it would end the process.
  pool.on('error', (err) => log.warn('pool.connection_lost', { code: errorCode(err) }));

  /**
   * Runs `use` on a borrowed connection; returns it to the pool, or ends it if it was lost or
   * `use` discarded it (its state is not known).
   */
  const borrow = async <T>(use: (client: pg.PoolClient, discard: (why: Error) => void) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let lost: Error | undefined;
    const onError = (err: Error): void => {
      lost ??= err;
    };
    client.on('error', onError);
    try {
      return await use(client, onError);
    } catch (err) {
      if (connectionLost(err)) lost ??= err instanceof Error ? err : new Error('connection lost');
      throw err;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  };

  const transaction = <T>(work: (tx: Sql) => Promise<T>): Promise<T> =>
    borrow(async (client, discard) => {
      let open = true;
      const check = (): void => {
        if (!open) throw new UnitOfWorkEndedError();
      };
      const statements = on(client);
      const tx: Sql = {
        dialect: 'postgres',
        all: async (text, params) => (check(), statements.all(text, params)),
        one: async (text, params) => (check(), statements.one(text, params)),
        run: async (text, params) => (check(), statements.run(text, params)),
        transaction: async (inner) => (check(), inner(tx)),
      };
      await client.query('BEGIN');
      let result: T;
      try {
        result = await work(tx);
      } catch (err) {
        // Closed before the ROLLBACK is queued, so nothing issued late runs after it.
        open = false;
        // A connection that cannot roll back (lost, or worse) is not returned to the pool; the
        // server discards a transaction whose connection ends. The work's error is the one told.
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => discard(rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed')));
        throw err;
      }
      open = false;
      const commit = await client.query('COMMIT');
      // A statement that failed inside leaves the transaction aborted, and PostgreSQL answers
      // COMMIT with a rollback, not an error. Work that caught that failure and went on must
      // not be told its writes were kept.
      if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
      return result;
    });

  let closed = false;
  return {
    dialect: 'postgres',
    all: (text, params) => borrow((client) => on(client).all(text, params)),
    one: (text, params) => borrow((client) => on(client).one(text, params)),
    run: (text, params) => borrow((client) => on(client).run(text, params)),
    transaction,
    async close() {
      if (closed) return;
      closed = true;
      // pg's end waits for borrowed connections to come back before ending them.
      await pool.end();
    },
  };
}

/** A transaction whose work went on after one of its statements failed: none of it was kept. */
export class TransactionAbortedError extends Error {
  constructor() {
    super('a statement in this transaction failed, so PostgreSQL rolled all of it back');
    this.name = 'TransactionAbortedError';
  }
}
