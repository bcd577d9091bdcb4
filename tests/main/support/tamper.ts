/** Local files changed behind the console's back, as anyone holding them could. */
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Flips the bits `mask` of one byte of a sealed blob: the byte at `index` from its start, or
 * from its end when negative, in `column` of the `table` row whose one key column matches `row`.
 */
export function flipSealedByte(
  db: BetterSqlite3.Database,
  table: string,
  column: string,
  row: Record<string, string | number>,
  index: number,
  mask: number,
): void {
  const [key, value] = Object.entries(row)[0]!;
  const found = db.prepare(`SELECT ${column} FROM ${table} WHERE ${key} = ?`).get(value) as Record<string, Buffer> | undefined;
  if (!found) throw new Error(`no ${table} row with ${key} = ${value}`);
  const sealed = Buffer.from(found[column]!);
  sealed[index < 0 ? sealed.length + index : index]! ^= mask;
  db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`).run(sealed, value);
}
