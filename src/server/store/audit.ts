/**
 * The audit log: every security-relevant act (sign-ins and their failures, lockouts, token
 * revocations, admissions, denials, verifications, mutes, removals, locks, ends, crisis
 * information views, roster exports, note syncs, account changes), append-only and chained
 * with a keyed hash (see ../audit/chain.ts). By ids only: never a username typed at sign-in
 * (people type passwords into that field), never a name, password, code, token, session title,
 * client reference (a client is `ref:` and the keyed hash of theirs) or anything a client said.
 *
 * Appends run in a transaction that locks the head, inserts and moves the head, so two writers
 * (two server processes on one database) can never fork the chain: SQLite's transactions take
 * the file's write lock at once (IMMEDIATE); PostgreSQL's lock the head row (FOR UPDATE).
 */
import { anyOf, type Sql, type SqlValue } from './sql.js';
import { GENESIS_HASH, verifyChainOf, type ChainedEntry, type ChainHead, type ChainVerdict, type LinkHash } from '../audit/chain.js';

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
  /** The console workstation the act came from, where one said (`X-Confidant-Device`). */
  deviceId?: string | null;
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
  record(e: NewAuditEvent): Promise<AuditRecord>;
  /** Appends several entries, in order, at once (a moderation act on many clients). */
  recordAll(events: readonly NewAuditEvent[]): Promise<AuditRecord[]>;
  /** Oldest first. */
  list(query?: AuditQuery | string): Promise<AuditRecord[]>;
  /**
   * Walks the whole chain. With a checkpoint (whose signature the caller has checked), the
   * entry at its seq must carry its hash.
   */
  verify(checkpoint?: ChainHead): Promise<ChainVerdict>;
  /** The last entry's seq and hash, as recorded with each append. */
  head(): Promise<ChainHead>;
  /** How many entries the scope holds (the whole log without one). */
  count(scope?: AuditScope): Promise<number>;
  /**
   * What one account or one console workstation did in [from, to) (ISO times), oldest first,
   * a page after `afterSeq`: entries it acted in, and for an account its own sign-ins (the
   * breach report, ../audit/breachReport.ts).
   */
  actsOf(who: ActsOf, afterSeq?: number, limit?: number): Promise<AuditRecord[]>;
}

export interface ActsOf {
  clinicianId?: string;
  deviceId?: string;
  from: string;
  to: string;
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
  device_id: string | null;
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
  deviceId: r.device_id ?? null,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export const MAX_AUDIT_PAGE = 5000;

/** Entries per INSERT when several are appended at once. */
const INSERT_ROWS = 100;

/** How many entries `verify` reads at a time: the whole log is never in memory at once. */
const VERIFY_PAGE = 2000;

export function createAuditRepo(sql: Sql, link: LinkHash): AuditRepo {
  // PostgreSQL locks the head row for the append's transaction; SQLite's transaction already
  // holds the whole file's write lock.
  const lockHead = `SELECT seq, hash FROM audit_head WHERE id = 1${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`;
  const readHead = async (): Promise<ChainHead> =>
    (await sql.one<{ seq: number; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = 1`)) ?? { seq: 0, hash: GENESIS_HASH };

  /**
   * In SQL rather than after the page is read, so a page of a scoped reader is full and its
   * `after` paging walks only what they may see.
   */
  const inScope = (scope: AuditScope | undefined): { condition: string; params: SqlValue[] } => {
    if (!scope) return { condition: '1 = 1', params: [] };
    const sessionIn = (column: string) => anyOf(sql.dialect, column, scope.sessionIds);
    const personIn = (column: string) => anyOf(sql.dialect, column, scope.clinicianIds);
    const parts = [
      sessionIn('session_id'),
      sessionIn('subject_id'),
      personIn('actor_id'),
      personIn('subject_id'),
    ];
    const invitationsOf = sessionIn('session_id');
    return {
      condition: `(${parts.map((p) => p.condition).join(' OR ')} OR subject_id IN (SELECT id FROM invitations WHERE ${invitationsOf.condition}))`,
      params: [...parts.map((p) => p.param), invitationsOf.param],
    };
  };

  /**
   * Appends `events` in order, in one transaction that locks the head once and inserts them in
   * one statement: the fifty entries of an admit-all cost one round trip, not fifty.
   */
  const recordAll = (events: readonly NewAuditEvent[]): Promise<AuditRecord[]> =>
    sql.transaction(async (tx) => {
      if (events.length === 0) return [];
      let last = (await tx.one<{ seq: number; hash: string }>(lockHead)) ?? { seq: 0, hash: GENESIS_HASH };
      const records: AuditRecord[] = [];
      for (const e of events) {
        const fields = {
          seq: last.seq + 1,
          at: e.at.toISOString(),
          event: e.event,
          actorId: e.actorId ?? null,
          subjectId: e.subjectId ?? null,
          sessionId: e.sessionId ?? null,
          address: e.address ?? null,
          detail: e.detail ?? null,
          deviceId: e.deviceId ?? null,
        };
        const hash = link(last.hash, fields);
        records.push({ ...fields, prevHash: last.hash, hash });
        last = { seq: fields.seq, hash };
      }
      // In statements of at most INSERT_ROWS rows (a statement's parameters are bounded).
      for (let from = 0; from < records.length; from += INSERT_ROWS) {
        const rows = records.slice(from, from + INSERT_ROWS);
        await tx.run(
          `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, device_id, prev_hash, hash)
           VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          rows.flatMap((r) => [r.seq, r.at, r.event, r.actorId, r.subjectId, r.sessionId, r.address, r.detail, r.deviceId ?? null, r.prevHash, r.hash]),
        );
      }
      await tx.run(
        `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
        [last.seq, last.hash],
      );
      return records;
    });

  return {
    record: async (e) => (await recordAll([e]))[0]!,
    recordAll,
    async list(q = {}) {
      const opts: AuditQuery = typeof q === 'string' ? { subjectId: q } : q;
      const limit = Math.min(Math.max(opts.limit ?? MAX_AUDIT_PAGE, 1), MAX_AUDIT_PAGE);
      const scope = inScope(opts.scope);
      const rows = await sql.all<AuditRow>(
        `SELECT * FROM audit_log
          WHERE (CAST(? AS TEXT) IS NULL OR subject_id = ?) AND (CAST(? AS TEXT) IS NULL OR session_id = ?) AND seq > ?
            AND ${scope.condition}
          ORDER BY seq LIMIT ?`,
        [opts.subjectId ?? null, opts.subjectId ?? null, opts.sessionId ?? null, opts.sessionId ?? null, opts.afterSeq ?? 0, ...scope.params, limit],
      );
      return rows.map(hydrate);
    },
    async actsOf(who, afterSeq = 0, limit = MAX_AUDIT_PAGE) {
      const c = who.clinicianId ?? null;
      const d = who.deviceId ?? null;
      const rows = await sql.all<AuditRow>(
        `SELECT * FROM audit_log
          WHERE seq > ? AND at >= ? AND at < ?
            AND (CAST(? AS TEXT) IS NULL OR actor_id = ? OR (subject_id = ? AND event LIKE 'login.%'))
            AND (CAST(? AS TEXT) IS NULL OR device_id = ?)
          ORDER BY seq LIMIT ?`,
        [afterSeq, who.from, who.to, c, c, c, d, d, Math.min(Math.max(limit, 1), MAX_AUDIT_PAGE)],
      );
      return rows.map(hydrate);
    },
    async count(scope) {
      const { condition, params } = inScope(scope);
      return (await sql.one<{ n: number }>(`SELECT count(*) AS n FROM audit_log WHERE ${condition}`, params))?.n ?? 0;
    },
    async verify(checkpoint) {
      const head = await readHead();
      async function* entries(): AsyncGenerator<ChainedEntry> {
        for (let after = 0; ; ) {
          const page = await sql.all<AuditRow>(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, [after, VERIFY_PAGE]);
          for (const row of page) yield hydrate(row);
          if (page.length < VERIFY_PAGE) return;
          after = page[page.length - 1]!.seq;
        }
      }
      return verifyChainOf(entries(), head, link, checkpoint);
    },
    head: readHead,
  };
}
