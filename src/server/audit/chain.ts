/**
 * The audit log's chain: each entry's hash is HMAC-SHA-256, under a key derived from the
 * records key for this purpose only (see ../store/recordKeys.ts), over the previous entry's
 * hash followed by the canonical JSON (keys sorted, no whitespace) of the entry's fields. Any
 * change to an entry changes its hash, which no longer matches the next entry's `prevHash`;
 * any deletion leaves a gap in the sequence numbers or a head that points past the end.
 *
 * Keyed, because the head lives in the same file as the entries: with a plain hash, whoever
 * can write the file can rewrite an entry and recompute every hash after it. Without the
 * records key (kept outside the data directory) they cannot. Someone who holds that key too
 * can still rewrite history, which is what checkpoints are for: the head at some moment,
 * signed with an Ed25519 key that the database never sees (see signingKey.ts), so a later
 * verify against it shows any rewrite or truncation of what came before it.
 */
import { createHash, createHmac, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

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
  /**
   * The console workstation that acted (issue 20's breach report): what the console's main
   * process says it is (`X-Confidant-Device`). Chained only where there is one, so entries
   * from before it was kept hash exactly as they did.
   */
  deviceId?: string | null;
}

const CHAINED_KEYS = ['actorId', 'address', 'at', 'detail', 'event', 'seq', 'sessionId', 'subjectId'] as const satisfies readonly (keyof ChainedFields)[];

/**
 * Canonical JSON of the chained fields: exactly these keys, in sorted order, whatever else
 * the object carries, so the hash never depends on object layout.
 */
export function canonicalFields(f: ChainedFields): string {
  const ordered: Record<string, unknown> = {};
  for (const key of CHAINED_KEYS) {
    // Sorted among the others ('detail' < 'deviceId' < 'event'); absent when there is none.
    if (key === 'event' && f.deviceId !== undefined && f.deviceId !== null) ordered['deviceId'] = f.deviceId;
    ordered[key] = f[key];
  }
  return JSON.stringify(ordered);
}

/** One link of a chain: the hash of an entry given the previous entry's hash. */
export type LinkHash = (prevHash: string, f: ChainedFields) => string;

/** The chain's link: HMAC-SHA-256 under the audit chain key. */
export function keyedLink(chainKey: Buffer): LinkHash {
  return (prevHash, f) => createHmac('sha256', chainKey).update(prevHash).update(canonicalFields(f)).digest('hex');
}

/**
 * The link migration 5 wrote, plain SHA-256: kept only so migration 7 can check the old chain
 * before it re-chains it under the key, and for migration 5 itself.
 */
export const legacyLink: LinkHash = (prevHash, f) => createHash('sha256').update(prevHash).update(canonicalFields(f)).digest('hex');

export interface ChainedEntry extends ChainedFields {
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export type ChainVerdict = { ok: true; entries: number } | { ok: false; brokenAt: number; reason: string };

/**
 * Walks entries in sequence order and names the first that fails: a gap (a deleted entry is
 * named by its missing number), a `prevHash` that is not the previous hash, a hash that does
 * not match the entry's fields, or a head (last seq and hash recorded at each append) that the
 * chain does not end at. With a checkpoint (its signature already checked), the entry at its
 * seq must exist and carry its hash: a history rewritten or cut short before it fails there.
 */
export function verifyChain(
  entries: Iterable<ChainedEntry>,
  head: ChainHead | undefined,
  link: LinkHash,
  checkpoint?: ChainHead,
): ChainVerdict {
  const walk = chainWalk(link, checkpoint);
  for (const e of entries) {
    const broken = walk.next(e);
    if (broken) return broken;
  }
  return walk.end(head);
}

/** `verifyChain` over entries read a page at a time (the store's log). */
export async function verifyChainOf(
  entries: AsyncIterable<ChainedEntry>,
  head: ChainHead | undefined,
  link: LinkHash,
  checkpoint?: ChainHead,
): Promise<ChainVerdict> {
  const walk = chainWalk(link, checkpoint);
  for await (const e of entries) {
    const broken = walk.next(e);
    if (broken) return broken;
  }
  return walk.end(head);
}

/** The walk both take: `next` for each entry (a verdict once one fails), `end` after the last. */
function chainWalk(link: LinkHash, checkpoint: ChainHead | undefined) {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  return {
    next(e: ChainedEntry): ChainVerdict | undefined {
      if (e.seq !== expectedSeq) {
        return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      }
      if (e.prevHash !== prevHash) {
        return { ok: false, brokenAt: e.seq, reason: `entry ${e.seq} does not follow the entry before it` };
      }
      if (link(prevHash, e) !== e.hash) {
        return { ok: false, brokenAt: e.seq, reason: `entry ${e.seq} was altered` };
      }
      if (checkpoint && e.seq === checkpoint.seq && e.hash !== checkpoint.hash) {
        return { ok: false, brokenAt: e.seq, reason: `entry ${e.seq} is not the one the checkpoint signed: the log up to it was rewritten` };
      }
      prevHash = e.hash;
      expectedSeq += 1;
      return undefined;
    },
    end(head: ChainHead | undefined): ChainVerdict {
      const count = expectedSeq - 1;
      if (checkpoint && checkpoint.seq > count) {
        return { ok: false, brokenAt: count + 1, reason: `entries ${count + 1} to ${checkpoint.seq}, which the checkpoint signed, are missing` };
      }
      const headSeq = head?.seq ?? 0;
      if (headSeq > count) {
        return { ok: false, brokenAt: count + 1, reason: `entries ${count + 1} to ${headSeq} are missing` };
      }
      if (headSeq < count || (head && head.hash !== prevHash && count > 0)) {
        return { ok: false, brokenAt: Math.max(1, Math.min(count, headSeq + 1)), reason: 'the log does not end where it was last written' };
      }
      return { ok: true, entries: count };
    },
  };
}

/** A signed statement of the chain's head at a moment, exported by an admin and kept apart. */
export const AuditCheckpoint = z
  .object({
    version: z.literal(1),
    seq: z.number().int().nonnegative(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.iso.datetime(),
    /** Ed25519 over `checkpointMessage`, base64. */
    signature: z.string().min(1),
  })
  .strict();
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

/** What the signature covers: a fixed label (so no other signed text can pass as one), seq, hash, time. */
export function checkpointMessage(c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(`confidant audit checkpoint v1\n${c.seq}\n${c.hash}\n${c.at}`, 'utf8');
}

export function signCheckpoint(privateKey: KeyObject, head: ChainHead, at: Date): AuditCheckpoint {
  const unsigned = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { version: 1, ...unsigned, signature: sign(null, checkpointMessage(unsigned), privateKey).toString('base64') };
}

export function checkpointSignatureValid(publicKey: KeyObject, c: AuditCheckpoint): boolean {
  try {
    return verify(null, checkpointMessage(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}
