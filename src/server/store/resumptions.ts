/**
 * Where each connected (or recently dropped) client stands, kept on disk so a dropped socket
 * or a restarted server does not cost anyone their place. See migration 6.
 */
import type { MediaFlags, ParticipantState } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

const log = createLogger('resumptions');

/** What the live room writes as a client's standing changes. */
export interface StandingSnapshot {
  state: ParticipantState;
  displayName: string | null;
  knockedAt: string | null;
  media: MediaFlags;
  mutedByFacilitator: MediaFlags;
  admittedBefore: boolean;
}

export interface Resumption extends StandingSnapshot {
  participantId: string;
  sessionId: string;
  connected: boolean;
  lastSeenAt: string;
  /** The end of the grace period, once dropped. */
  expiresAt: string | null;
}

export interface ResumptionRepo {
  /** A (re)connected client with a fresh token: replaces any earlier row of the participant. */
  connect(participantId: string, sessionId: string, tokenHash: string, snapshot: StandingSnapshot, at: Date): Promise<void>;
  update(participantId: string, snapshot: StandingSnapshot): Promise<void>;
  dropped(participantId: string, at: Date, expiresAt: Date): Promise<void>;
  byTokenHash(tokenHash: string): Promise<Resumption | undefined>;
  /**
   * Spends a resume token: the row that answers to `tokenHash` answers to `nextTokenHash`
   * instead, in one statement, so of two resumes with one token only one finds it. Returns
   * the row as it stood; undefined when no row answers to `tokenHash`.
   */
  claim(tokenHash: string, nextTokenHash: string): Promise<Resumption | undefined>;
  remove(participantId: string): Promise<void>;
  removeSession(sessionId: string): Promise<void>;
  /** The room is live and these are still there. */
  touch(sessionId: string, at: Date): Promise<void>;
  /**
   * After a restart: rows still marked connected belonged to sockets of the previous process,
   * except in sessions another server (not `serverId`) hosts now, whose sockets are alive
   * there. They become dropped as of now, with a grace period from now; returned as they now
   * stand.
   */
  recoverAfterRestart(at: Date, graceMs: number, serverId: string): Promise<Resumption[]>;
  /**
   * A server took the session over from one whose lease ran out (it died, or lost the
   * database): whoever that server had connected dropped; they keep their place for the
   * grace period from `at`. Returned as they now stand.
   */
  takeOver(sessionId: string, at: Date, graceMs: number): Promise<Resumption[]>;
  /** Drops rows whose grace period ended before `at`; returns them. */
  expire(at: Date): Promise<Resumption[]>;
}

interface Row {
  participant_id: string;
  session_id: string;
  state: ParticipantState;
  display_name_sealed: Buffer | null;
  knocked_at: string | null;
  media_audio: number;
  media_video: number;
  muted_audio: number;
  muted_video: number;
  admitted_before: number;
  connected: number;
  last_seen_at: string;
  expires_at: string | null;
}

const nameContext = (participantId: string): string => `resumption-name\n${participantId}`;

export function createResumptionRepo(sql: Sql, sealer: RecordSealer): ResumptionRepo {
  /** The standing's columns, in the order the statements below name them. */
  const standing = (participantId: string, s: StandingSnapshot) => [
    s.state,
    s.displayName === null ? null : sealer.seal(s.displayName, nameContext(participantId)),
    s.knockedAt,
    s.media.audio ? 1 : 0,
    s.media.video ? 1 : 0,
    s.mutedByFacilitator.audio ? 1 : 0,
    s.mutedByFacilitator.video ? 1 : 0,
    s.admittedBefore ? 1 : 0,
  ];

  const hydrate = (r: Row): Resumption => {
    let displayName: string | null = null;
    if (r.display_name_sealed) {
      try {
        displayName = sealer.open(r.display_name_sealed, nameContext(r.participant_id));
      } catch {
        log.warn('resumption.name_unreadable', { participantId: r.participant_id });
      }
    }
    return {
      participantId: r.participant_id,
      sessionId: r.session_id,
      state: r.state,
      displayName,
      knockedAt: r.knocked_at,
      media: { audio: r.media_audio === 1, video: r.media_video === 1 },
      mutedByFacilitator: { audio: r.muted_audio === 1, video: r.muted_video === 1 },
      admittedBefore: r.admitted_before === 1,
      connected: r.connected === 1,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
    };
  };
  const done = async (work: Promise<number>): Promise<void> => {
    await work;
  };

  return {
    connect: (participantId, sessionId, tokenHash, snapshot, at) =>
      done(
        sql.run(
          `INSERT INTO resumptions (participant_id, session_id, token_hash, state, display_name_sealed, knocked_at, media_audio,
                                    media_video, muted_audio, muted_video, admitted_before, connected, last_seen_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, NULL)
           ON CONFLICT (participant_id) DO UPDATE SET
             session_id = excluded.session_id, token_hash = excluded.token_hash, state = excluded.state,
             display_name_sealed = excluded.display_name_sealed, knocked_at = excluded.knocked_at,
             media_audio = excluded.media_audio, media_video = excluded.media_video, muted_audio = excluded.muted_audio,
             muted_video = excluded.muted_video, admitted_before = excluded.admitted_before, connected = 1,
             last_seen_at = excluded.last_seen_at, expires_at = NULL`,
          [participantId, sessionId, tokenHash, ...standing(participantId, snapshot), at.toISOString()],
        ),
      ),
    update: (participantId, snapshot) =>
      done(
        sql.run(
          `UPDATE resumptions SET state = ?, display_name_sealed = ?, knocked_at = ?, media_audio = ?, media_video = ?,
             muted_audio = ?, muted_video = ?, admitted_before = ?
           WHERE participant_id = ?`,
          [...standing(participantId, snapshot), participantId],
        ),
      ),
    dropped: (participantId, at, expiresAt) =>
      done(
        sql.run(`UPDATE resumptions SET connected = 0, last_seen_at = ?, expires_at = ? WHERE participant_id = ?`, [
          at.toISOString(),
          expiresAt.toISOString(),
          participantId,
        ]),
      ),
    async byTokenHash(tokenHash) {
      const row = await sql.one<Row>(`SELECT * FROM resumptions WHERE token_hash = ?`, [tokenHash]);
      return row && hydrate(row);
    },
    async claim(tokenHash, nextTokenHash) {
      const row = await sql.one<Row>(`UPDATE resumptions SET token_hash = ? WHERE token_hash = ? RETURNING *`, [nextTokenHash, tokenHash]);
      return row && hydrate(row);
    },
    remove: (participantId) => done(sql.run(`DELETE FROM resumptions WHERE participant_id = ?`, [participantId])),
    removeSession: (sessionId) => done(sql.run(`DELETE FROM resumptions WHERE session_id = ?`, [sessionId])),
    touch: (sessionId, at) => done(sql.run(`UPDATE resumptions SET last_seen_at = ? WHERE session_id = ? AND connected = 1`, [at.toISOString(), sessionId])),
    // One statement each, so two processes at once never both take the same row.
    recoverAfterRestart: async (at, graceMs, serverId) =>
      (
        await sql.all<Row>(
          `UPDATE resumptions SET connected = 0, expires_at = ?
           WHERE connected = 1
             AND session_id NOT IN (SELECT session_id FROM session_hosts WHERE server_id <> ? AND lease_until_ms > ?)
           RETURNING *`,
          [new Date(at.getTime() + graceMs).toISOString(), serverId, at.getTime()],
        )
      ).map(hydrate),
    takeOver: async (sessionId, at, graceMs) =>
      (
        await sql.all<Row>(`UPDATE resumptions SET connected = 0, expires_at = ? WHERE session_id = ? AND connected = 1 RETURNING *`, [
          new Date(at.getTime() + graceMs).toISOString(),
          sessionId,
        ])
      ).map(hydrate),
    expire: async (at) =>
      (await sql.all<Row>(`DELETE FROM resumptions WHERE connected = 0 AND expires_at < ? RETURNING *`, [at.toISOString()])).map(hydrate),
  };
}
