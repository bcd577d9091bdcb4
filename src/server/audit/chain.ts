/**
 * The audit log's hash chain: each entry's hash is SHA-256 over the previous entry's hash
 * followed by the canonical JSON (keys sorted, no whitespace) of the entry's fields. Any
 * change to an entry changes its hash, which no longer matches the next entry's `prevHash`;
 * any deletion leaves a gap in the sequence numbers or a head that points past the end.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: every column but the hashes themselves. */
export interface ChainedFields {
  seq: number;
  at: string;
  event: string;
  actorId: string | null;
  subjectId: string | null;
  sessionId: string | null;
  address: string | null;
  detail: string | null;
}

const CHAINED_KEYS = ['actorId', 'address', 'at', 'detail', 'event', 'seq', 'sessionId', 'subjectId'] as const satisfies readonly (keyof ChainedFields)[];

/**
 * Canonical JSON of the chained fields: exactly these keys, in sorted order, whatever else
 * the object carries, so the hash never depends on object layout.
 */
export function canonicalFields(f: ChainedFields): string {
  const ordered: Record<string, unknown> = {};
  for (const key of CHAINED_KEYS) ordered[key] = f[key];
  return JSON.stringify(ordered);
}

export function chainHash(prevHash: string, f: ChainedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalFields(f)).digest('hex');
}

export interface ChainedEntry extends ChainedFields {
  prevHash: string;
  hash: string;
}

export type ChainVerdict = { ok: true; entries: number } | { ok: false; brokenAt: number; reason: string };

/**
 * Walks entries in sequence order and names the first that fails: a gap (a deleted entry is
 * named by its missing number), a `prevHash` that is not the previous hash, a hash that does
 * not match the entry's fields, or a head (last seq and hash recorded at each append) that the
 * chain does not end at.
 */
export function verifyChain(entries: Iterable<ChainedEntry>, head: { seq: number; hash: string } | undefined): ChainVerdict {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
    }
    if (e.prevHash !== prevHash) {
      return { ok: false, brokenAt: e.seq, reason: `entry ${e.seq} does not follow the entry before it` };
    }
    if (chainHash(prevHash, e) !== e.hash) {
      return { ok: false, brokenAt: e.seq, reason: `entry ${e.seq} was altered` };
    }
    prevHash = e.hash;
    expectedSeq += 1;
  }
  const count = expectedSeq - 1;
  const headSeq = head?.seq ?? 0;
  if (headSeq > count) {
    return { ok: false, brokenAt: count + 1, reason: `entries ${count + 1} to ${headSeq} are missing` };
  }
  if (headSeq < count || (head && head.hash !== prevHash && count > 0)) {
    return { ok: false, brokenAt: Math.max(1, Math.min(count, headSeq + 1)), reason: 'the log does not end where it was last written' };
  }
  return { ok: true, entries: count };
}
