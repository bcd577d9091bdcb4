/**
 * Rosters, attendance and the audit trail for the signed-in clinician: every answer comes from
 * the server (which decides who may see what), and what was read is kept in the encrypted
 * roster cache so it stays readable when the server cannot be reached. Only "no server
 * answered" falls back to the saved copy; a refusal (403) or a missing session (404) is the
 * server's word, shown as such, and also drops any copy saved before.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Fetched, SignInResult } from '../../shared/ipc';
import {
  AttendanceHistory,
  AuditList,
  AuditVerification,
  ColleagueList,
  ProtocolError,
  Roster,
  ROSTER_CSV_COLUMNS,
  RosterSummaryList,
  SessionList,
  SessionSummary,
  type AuditEntry,
  type RosterEntry,
  type RosterSummary,
} from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';
import type { KeyStore } from '../notes/keyStore';
import { ServerUnreachableError, type ServerSession } from '../services/serverSession';
import { RosterCache } from './rosterCache';

const log = createLogger('rosters');
const enc = encodeURIComponent;

export interface SessionRoster {
  session: SessionSummary;
  facilitatorName: string;
  entries: RosterEntry[];
}
const SessionRoster = z.object({ session: SessionSummary, facilitatorName: z.string(), entries: Roster });

export interface RosterRange {
  from: string;
  to: string;
  facilitatorId?: string | undefined;
}

export interface RostersServiceOptions {
  /** The console's user data; the cache goes beside the note vaults (`vaults/`). */
  baseDir: string;
  /** The note vault's key store: the cache is sealed under the same key. */
  keyStore: KeyStore;
  server: ServerSession;
  clock?: () => Date;
}

export class RostersService {
  private cache: RosterCache | null = null;
  /** What the last lists said about each session, so opening one needs no second lookup. */
  private readonly known = new Map<string, { session: SessionSummary; facilitatorName: string }>();
  private readonly clock: () => Date;

  constructor(private readonly options: RostersServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Opens the signed-in clinician's cache. Call after the note vault has opened, since that is
   * where the key is made on first use; without a key the screen works online only.
   */
  async open(account: SignInResult): Promise<void> {
    this.close();
    try {
      this.cache = await RosterCache.open({
        dir: join(this.options.baseDir, 'vaults'),
        account: `${account.user.id}@${account.serverUrl}`,
        keyStore: this.options.keyStore,
      });
    } catch (err) {
      // A cache that cannot open (a damaged file, a full disk) must not stop the sign-in.
      log.error('cache.open_failed', errorFields(err));
      this.cache = null;
    }
  }

  close(): void {
    try {
      this.cache?.close();
    } catch (err) {
      log.error('cache.close_failed', errorFields(err));
    }
    this.cache = null;
    this.known.clear();
  }

  /** Whether opened rosters are being kept for offline reading. */
  cacheOpen(): boolean {
    return this.cache !== null;
  }

  async list(range: RosterRange): Promise<Fetched<RosterSummary[]>> {
    const query = new URLSearchParams({ from: range.from, to: range.to });
    if (range.facilitatorId) query.set('facilitatorId', range.facilitatorId);
    const result = await this.fetched(
      `rosters\n${range.from}\n${range.to}\n${range.facilitatorId ?? ''}`,
      () => this.options.server.api('GET', `/api/rosters?${query}`, undefined, RosterSummaryList),
      (data) => RosterSummaryList.parse(data),
      { what: 'these rosters', reason: 'offline-no-rosters' },
    );
    for (const s of result.data) this.known.set(s.session.id, { session: s.session, facilitatorName: s.facilitatorName });
    return result;
  }

  get(sessionId: string): Promise<Fetched<SessionRoster>> {
    return this.fetched(
      `roster\n${sessionId}`,
      async () => {
        const entries = await this.options.server.api('GET', `/api/sessions/${enc(sessionId)}/roster`, undefined, Roster);
        return { ...(await this.describe(sessionId)), entries };
      },
      (data) => SessionRoster.parse(data),
      { what: 'this roster', reason: 'offline-no-roster' },
    );
  }

  /**
   * The server's CSV of a session's roster and a file name for it. Only online: the server
   * records every export in the audit trail, and an export from the cache would escape that.
   */
  async exportCsv(sessionId: string): Promise<{ suggestedName: string; text: string }> {
    let text: string;
    try {
      text = await this.options.server.apiText(`/api/sessions/${enc(sessionId)}/roster.csv`, 'text/csv');
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        throw new ProtocolError('CONFLICT', 'Exporting needs the server, which records every export in the audit trail. Try again when you are back online.', {
          reason: 'export-needs-server',
        });
      }
      throw err;
    }
    assertRosterCsv(text);
    const { session } = this.known.get(sessionId) ?? (await this.describe(sessionId).catch(() => null)) ?? { session: null };
    return { suggestedName: csvFileName(session, sessionId), text };
  }

  attendance(participantRef: string, from: string, to: string): Promise<Fetched<AttendanceHistory>> {
    const query = new URLSearchParams({ from, to });
    return this.fetched(
      `attendance\n${participantRef}\n${from}\n${to}`,
      () => this.options.server.api('GET', `/api/attendance/${enc(participantRef)}?${query}`, undefined, AttendanceHistory),
      (data) => AttendanceHistory.parse(data),
      { what: "this client's attendance", reason: 'offline-no-attendance' },
    );
  }

  setTarget(participantRef: string, hoursPerWeek: number | null): Promise<AttendanceHistory> {
    return this.options.server.api('PUT', `/api/attendance/${enc(participantRef)}/target`, { hoursPerWeek }, AttendanceHistory);
  }

  verifyAudit(): Promise<AuditVerification> {
    return this.options.server.api('GET', '/api/audit/verify', undefined, AuditVerification);
  }

  auditOf(sessionId: string): Promise<AuditEntry[]> {
    return this.options.server.api('GET', `/api/audit?sessionId=${enc(sessionId)}`, undefined, AuditList);
  }

  /** The session and its lead facilitator's name: from the last list, else from the server. */
  private async describe(sessionId: string): Promise<{ session: SessionSummary; facilitatorName: string }> {
    const known = this.known.get(sessionId);
    if (known) return known;
    const { server } = this.options;
    const [sessions, colleagues] = await Promise.all([
      server.api('GET', '/api/sessions', undefined, SessionList),
      server.api('GET', '/api/clinicians', undefined, ColleagueList),
    ]);
    const session = sessions.find((s) => s.id === sessionId);
    if (!session) throw new ProtocolError('NOT_FOUND', 'This session is not among the ones you can see.', { reason: 'session-not-visible' });
    const facilitatorName = colleagues.find((c) => c.id === session.facilitatorId)?.displayName ?? 'a former colleague';
    const found = { session, facilitatorName };
    this.known.set(sessionId, found);
    return found;
  }

  /**
   * Asks the server; keeps what it said; when no server answers, serves the saved copy with
   * `offline: true` and when it was fetched.
   */
  private async fetched<T>(
    cacheKey: string,
    fetch: () => Promise<T>,
    parse: (data: unknown) => T,
    /** What was asked for, in English for the log's message, and the reason for the console's words. */
    missing: { what: string; reason: 'offline-no-rosters' | 'offline-no-roster' | 'offline-no-attendance' },
  ): Promise<Fetched<T>> {
    // The cache this call started with: a sign-out while the request is out closes it, and
    // nothing must be written to (or read from) a cache that belongs to nobody now.
    const cache = this.cache;
    try {
      const data = await fetch();
      const fetchedAt = this.clock().toISOString();
      if (cache && cache === this.cache) cache.put(cacheKey, { data, fetchedAt });
      return { data, offline: false, fetchedAt };
    } catch (err) {
      if (err instanceof ServerUnreachableError) {
        const copy = cache && cache === this.cache ? cache.get(cacheKey, parse) : null;
        if (copy) return { ...copy, offline: true };
        const why = this.cache
          ? `No copy of ${missing.what} is saved on this computer yet: copies are kept of what you open while online.`
          : 'This computer keeps no offline copies: the system keychain that holds their key is not available.';
        throw new ProtocolError('NOT_FOUND', `${err.message} ${why}`, { reason: this.cache ? missing.reason : 'offline-no-keychain' });
      }
      if (err instanceof ProtocolError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND') && cache === this.cache) {
        cache?.delete(cacheKey);
      }
      throw err;
    }
  }
}

/** Refuses to save something that is not the roster CSV (an HTML error page, a truncated answer). */
function assertRosterCsv(text: string): void {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = header.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  if (columns.join(',') !== ROSTER_CSV_COLUMNS.join(',')) {
    throw new ProtocolError('INTERNAL', 'The server sent an export this console does not recognise as a roster; nothing was saved.', { reason: 'export-not-roster' });
  }
}

/** `roster-2026-11-03-tuesday-evening-iop-group.csv`: sortable by date, readable, safe on every file system. */
export function csvFileName(session: SessionSummary | null, sessionId: string): string {
  if (!session) return `roster-${sessionId.replace(/[^A-Za-z0-9-]/g, '')}.csv`;
  const slug = session.title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `roster-${session.startsAt.slice(0, 10)}${slug ? `-${slug}` : ''}.csv`;
}
