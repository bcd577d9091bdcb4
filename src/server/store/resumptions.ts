/**
 * Where each connected (or recently dropped) client stands, kept on disk so a dropped socket
 * or a restarted server does not cost anyone their place. See migration 6.
 */
import type { Database } from 'better-sqlite3';
import type { MediaFlags, ParticipantState } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import type { RecordSealer } from './recordSealer.js';

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
  connect(participantId: string, sessionId: string, tokenHash: string, snapshot: StandingSnapshot, at: Date): void;
  update(participantId: string, snapshot: StandingSnapshot): void;
  dropped(participantId: string, at: Date, expiresAt: Date): void;
  byTokenHash(tokenHash: string): Resumption | undefined;
  remove(participantId: string): void;
  removeSession(sessionId: string): void;
  /** The room is live and these are still there. */
  touch(sessionId: string, at: Date): void;
  /**
   * After a restart: rows still marked connected belonged to sockets of the previous process.
   * They become dropped as of now, with a grace period from now; returned as they were.
   */
  recoverAfterRestart(at: Date, graceMs: number): Resumption[];
  /** Drops rows whose grace period ended before `at`; returns them. */
  expire(at: Date): Resumption[];
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

export function createResumptionRepo(db: Database, sealer: RecordSealer): ResumptionRepo {
  const upsert = db.prepare(
    `INSERT INTO resumptions (participant_id, session_id, token_hash, state, display_name_sealed, knocked_at, media_audio,
                              media_video, muted_audio, muted_video, admitted_before, connected, last_seen_at, expires_at)
     VALUES (@participantId, @sessionId, @tokenHash, @state, @name, @knockedAt, @mediaAudio, @mediaVideo, @mutedAudio,
             @mutedVideo, @admittedBefore, 1, @at, NULL)
     ON CONFLICT (participant_id) DO UPDATE SET
       session_id = excluded.session_id, token_hash = excluded.token_hash, state = excluded.state,
       display_name_sealed = excluded.display_name_sealed, knocked_at = excluded.knocked_at,
       media_audio = excluded.media_audio, media_video = excluded.media_video, muted_audio = excluded.muted_audio,
       muted_video = excluded.muted_video, admitted_before = excluded.admitted_before, connected = 1,
       last_seen_at = excluded.last_seen_at, expires_at = NULL`,
  );
  const updateStanding = db.prepare(
    `UPDATE resumptions SET state = @state, display_name_sealed = @name, knocked_at = @knockedAt, media_audio = @mediaAudio,
       media_video = @mediaVideo, muted_audio = @mutedAudio, muted_video = @mutedVideo, admitted_before = @admittedBefore
     WHERE participant_id = @participantId`,
  );
  const markDropped = db.prepare(`UPDATE resumptions SET connected = 0, last_seen_at = ?, expires_at = ? WHERE participant_id = ?`);
  const selectByToken = db.prepare<[string], Row>(`SELECT * FROM resumptions WHERE token_hash = ?`);
  const deleteOne = db.prepare(`DELETE FROM resumptions WHERE participant_id = ?`);
  const deleteSession = db.prepare(`DELETE FROM resumptions WHERE session_id = ?`);
  const touch = db.prepare(`UPDATE resumptions SET last_seen_at = ? WHERE session_id = ? AND connected = 1`);
  const selectConnected = db.prepare<[], Row>(`SELECT * FROM resumptions WHERE connected = 1`);
  const recover = db.prepare(`UPDATE resumptions SET connected = 0, expires_at = ? WHERE connected = 1`);
  const selectExpired = db.prepare<[string], Row>(`SELECT * FROM resumptions WHERE connected = 0 AND expires_at < ?`);
  const deleteExpired = db.prepare(`DELETE FROM resumptions WHERE connected = 0 AND expires_at < ?`);

  const params = (participantId: string, s: StandingSnapshot) => ({
    participantId,
    state: s.state,
    name: s.displayName === null ? null : sealer.seal(s.displayName, nameContext(participantId)),
    knockedAt: s.knockedAt,
    mediaAudio: s.media.audio ? 1 : 0,
    mediaVideo: s.media.video ? 1 : 0,
    mutedAudio: s.mutedByFacilitator.audio ? 1 : 0,
    mutedVideo: s.mutedByFacilitator.video ? 1 : 0,
    admittedBefore: s.admittedBefore ? 1 : 0,
  });

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

  const recoverAll = db.transaction((at: Date, graceMs: number): Resumption[] => {
    const rows = selectConnected.all().map(hydrate);
    recover.run(new Date(at.getTime() + graceMs).toISOString());
    return rows;
  });
  const expireAll = db.transaction((at: Date): Resumption[] => {
    const rows = selectExpired.all(at.toISOString()).map(hydrate);
    deleteExpired.run(at.toISOString());
    return rows;
  });

  return {
    connect(participantId, sessionId, tokenHash, snapshot, at) {
      upsert.run({ ...params(participantId, snapshot), sessionId, tokenHash, at: at.toISOString() });
    },
    update(participantId, snapshot) {
      updateStanding.run(params(participantId, snapshot));
    },
    dropped(participantId, at, expiresAt) {
      markDropped.run(at.toISOString(), expiresAt.toISOString(), participantId);
    },
    byTokenHash(tokenHash) {
      const row = selectByToken.get(tokenHash);
      return row && hydrate(row);
    },
    remove(participantId) {
      deleteOne.run(participantId);
    },
    removeSession(sessionId) {
      deleteSession.run(sessionId);
    },
    touch(sessionId, at) {
      touch.run(at.toISOString(), sessionId);
    },
    recoverAfterRestart: (at, graceMs) => recoverAll(at, graceMs),
    expire: (at) => expireAll(at),
  };
}
