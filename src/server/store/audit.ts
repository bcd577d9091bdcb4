/**
 * The audit log: every security-relevant act (sign-ins and their failures, lockouts, token
 * revocations, admissions, denials, verifications, mutes, removals, locks, ends, crisis
 * information views, roster exports, note syncs, account changes), append-only and chained
 * with a keyed hash (see ../audit/chain.ts). By ids only: never a username typed at sign-in
 * (people type passwords into that field), never a name, password, code, token, session title,
 * client reference (a client is `ref:` and the keyed hash of theirs) or anything a client said.
 *
 * Appends run in an IMMEDIATE transaction that reads the head, inserts and moves the head, so
 * two writers (two server processes on one file) can never fork the chain.
 */
import type { Database } from 'better-sqlite3';
import { GENESIS_HASH, verifyChain, type ChainedEntry, type ChainHead, type ChainVerdict, type LinkHash } from '../audit/chain.js';

export type AuditRecord = ChainedEntry;

export interface NewAuditEvent {
  at: Date;
  /** e.g. login.failed, account.locked, client.admitted, roster.exported, note.synced */
  event: string;
  /** The clinician acting; null for sign-in attempts and a client's own acts. */
  actorId?: string | null;
  /** What the event is about: a clinician, invitation, participant or note id. */
  subjectId?: string | null;
  sessionId?: string | null;
  /** The remote address of the request, where there was one. */
  address?: string | null;
  /** A short code or id list (a reason code, roles, a method); never names or secrets. */
  detail?: string | null;
}

/**
 * The part of the log one reader may see: entries about these sessions (by session, or whose
 * subject is the session or one of its invitations) and entries by or about these clinicians.
 */
export interface AuditScope {
  sessionIds: readonly string[];
  clinicianIds: readonly string[];
}

export interface AuditQuery {
  /** Only entries within this scope; without one, the whole log (admins). */
  scope?: AuditScope;
  subjectId?: string;
  sessionId?: string;
  /** Entries after this sequence number. */
  afterSeq?: number;
  limit?: number;
}

export interface AuditRepo {
  record(e: NewAuditEvent): AuditRecord;
  /** Oldest first. */
  list(query?: AuditQuery | string): AuditRecord[];
  /**
   * Walks the whole chain. With a checkpoint (whose signature the caller has checked), the
   * entry at its seq must carry its hash.
   */
  verify(checkpoint?: ChainHead): ChainVerdict;
  /** The last entry's seq and hash, as recorded with each append. */
  head(): ChainHead;
  /** How many entries the scope holds (the whole log without one). */
  count(scope?: AuditScope): number;
}

interface AuditRow {
  seq: number;
  at: string;
  event: string;
  actor_id: string | null;
  subject_id: string | null;
  session_id: string | null;
  address: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const hydrate = (r: AuditRow): AuditRecord => ({
  seq: r.seq,
  at: r.at,
  event: r.event,
  actorId: r.actor_id,
  subjectId: r.subject_id,
  sessionId: r.session_id,
  address: r.address,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export const MAX_AUDIT_PAGE = 5000;

export function createAuditRepo(db: Database, link: LinkHash): AuditRepo {
  const head = db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = 1`);
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const moveHead = db.prepare(`INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)`);
  // In SQL rather than after the page is read, so a page of a scoped reader is full and its
  // `after` paging walks only what they may see.
  const inScope = `(@scoped = 0
      OR session_id IN (SELECT value FROM json_each(@sessions))
      OR subject_id IN (SELECT value FROM json_each(@sessions))
      OR actor_id IN (SELECT value FROM json_each(@people))
      OR subject_id IN (SELECT value FROM json_each(@people))
      OR subject_id IN (SELECT id FROM invitations WHERE session_id IN (SELECT value FROM json_each(@sessions))))`;
  type ScopeParams = { scoped: 0 | 1; sessions: string; people: string };
  const query = db.prepare<[ScopeParams & { subject: string | null; session: string | null; after: number; limit: number }], AuditRow>(
    `SELECT * FROM audit_log
      WHERE (@subject IS NULL OR subject_id = @subject) AND (@session IS NULL OR session_id = @session) AND seq > @after
        AND ${inScope}
      ORDER BY seq LIMIT @limit`,
  );
  const counted = db.prepare<[ScopeParams], { n: number }>(`SELECT count(*) AS n FROM audit_log WHERE ${inScope}`);
  const scopeParams = (scope: AuditScope | undefined): ScopeParams => ({
    scoped: scope ? 1 : 0,
    sessions: JSON.stringify(scope?.sessionIds ?? []),
    people: JSON.stringify(scope?.clinicianIds ?? []),
  });
  const everything = db.prepare<[], AuditRow>(`SELECT * FROM audit_log ORDER BY seq`);

  const append = db.transaction((e: NewAuditEvent): AuditRecord => {
    const last = head.get() ?? { seq: 0, hash: GENESIS_HASH };
    const fields = {
      seq: last.seq + 1,
      at: e.at.toISOString(),
      event: e.event,
      actorId: e.actorId ?? null,
      subjectId: e.subjectId ?? null,
      sessionId: e.sessionId ?? null,
      address: e.address ?? null,
      detail: e.detail ?? null,
    };
    const hash = link(last.hash, fields);
    insert.run(
      fields.seq,
      fields.at,
      fields.event,
      fields.actorId,
      fields.subjectId,
      fields.sessionId,
      fields.address,
      fields.detail,
      last.hash,
      hash,
    );
    moveHead.run(fields.seq, hash);
    return { ...fields, prevHash: last.hash, hash };
  });

  return {
    record: (e) => append.immediate(e),
    list(q = {}) {
      const opts: AuditQuery = typeof q === 'string' ? { subjectId: q } : q;
      const limit = Math.min(Math.max(opts.limit ?? MAX_AUDIT_PAGE, 1), MAX_AUDIT_PAGE);
      return query
        .all({ ...scopeParams(opts.scope), subject: opts.subjectId ?? null, session: opts.sessionId ?? null, after: opts.afterSeq ?? 0, limit })
        .map(hydrate);
    },
    count: (scope) => counted.get(scopeParams(scope))?.n ?? 0,
    verify(checkpoint) {
      function* rows(): Generator<ChainedEntry> {
        for (const row of everything.iterate()) yield hydrate(row);
      }
      return verifyChain(rows(), head.get(), link, checkpoint);
    },
    head: () => head.get() ?? { seq: 0, hash: GENESIS_HASH },
  };
}
