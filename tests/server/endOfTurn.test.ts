import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { atEndOfTurn } from '../../src/server/signaling/endOfTurn';
import { createRecordKeys } from '../../src/server/store/recordKeys';
import { sqliteSql } from '../../src/server/store/sqlite/sqliteSql';
import { storeOver, type Store } from '../../src/server/store/store';
import { createWriteBatcher } from '../../src/server/store/writeBatcher';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('end of turn', () => {
  it('lets the turn’s frames leave before its records are written, whatever the order they were asked in', async () => {
    const order: string[] = [];
    atEndOfTurn('write', () => order.push('write 1'));
    atEndOfTurn('send', () => order.push('send 1'));
    atEndOfTurn('write', () => order.push('write 2'));
    atEndOfTurn('send', () => order.push('send 2'));
    expect(order).toEqual([]);
    await nextTurn();
    expect(order).toEqual(['send 1', 'send 2', 'write 1', 'write 2']);
  });

  it('runs the rest when one piece of work throws, and still reports the error', async () => {
    const ran: string[] = [];
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    atEndOfTurn('send', () => {
      throw new Error('socket gone');
    });
    atEndOfTurn('send', () => ran.push('send'));
    atEndOfTurn('write', () => ran.push('write'));
    await nextTurn();
    expect(ran).toEqual(['send', 'write']);
    expect(String(await reported)).toMatch(/socket gone/);
  });
});

describe('room write batcher', () => {
  let db: BetterSqlite3.Database;
  let store: Store;
  afterEach(() => store.close());

  /**
   * A table, and a store over its database whose unit of work (store.atomically) the batcher
   * writes through. The writes reach the table on the same connection, so they run inside
   * that unit of work.
   */
  function table(): Store {
    db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    store = storeOver(sqliteSql(db), createRecordKeys(randomBytes(32), true));
    return store;
  }
  const rows = (): unknown[] => db.prepare('SELECT id, v FROM t ORDER BY id').all();

  it('writes a burst’s records together once a turn passes with nothing new, and at flush', async () => {
    const errors: unknown[] = [];
    const batcher = createWriteBatcher(table(), (err) => errors.push(err));
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    // A burst over three turns: nothing is written while it goes on.
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 1; i <= 3; i++) batcher.enqueue(async () => insert.run(turn * 3 + i, `v${turn}-${i}`));
      expect(rows()).toEqual([]);
      await nextTurn();
    }
    expect(rows()).toEqual([]);
    // A turn with nothing new: the whole burst, in one transaction.
    await nextTurn();
    expect(rows()).toHaveLength(9);
    batcher.enqueue(async () => insert.run(10, 'v10'));
    await batcher.flush();
    expect(rows()).toHaveLength(10);
    await nextTurn();
    await nextTurn();
    expect(rows()).toHaveLength(10);
    expect(errors).toEqual([]);
  });

  it('a burst that goes on is written once its oldest record is maxDelayMs old', async () => {
    const batcher = createWriteBatcher(table(), () => undefined, 30);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const started = performance.now();
    let id = 0;
    while (rows().length === 0) {
      batcher.enqueue(async () => insert.run(++id, 'x'));
      await nextTurn();
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('one bad write does not take the others with it, and is reported', async () => {
    const errors: unknown[] = [];
    const batcher = createWriteBatcher(table(), (err) => errors.push(err));
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    batcher.enqueue(async () => insert.run(1, 'a'));
    batcher.enqueue(async () => insert.run(2, null)); // NOT NULL
    batcher.enqueue(async () => insert.run(3, 'c'));
    await nextTurn();
    await nextTurn();
    expect(rows()).toEqual([
      { id: 1, v: 'a' },
      { id: 3, v: 'c' },
    ]);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/NOT NULL/);
  });
});
