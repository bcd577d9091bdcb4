/**
 * The console's IPC handlers, built from its services. Main registers each with
 * ipcMain.handle; the test host serves the same map to the renderer under test.
 */
import { z } from 'zod';
import type { AppInfo } from '../../shared/ipc';
import {
  ClinicianAccount,
  ClinicianAccountList,
  ColleagueList,
  InvitationList,
  InvitationSummary,
  IssuedInvitation,
  BreachReport,
  ProtocolError,
  SessionRecap,
  SessionSummary,
  TotpEnrolment,
} from '../../shared/protocol';
import { createLogger, errorFields } from '../../common/logger';
import { issuedWithSecret, secretsOf } from '../e2ee/linkSecrets';
import type { ConsoleLock } from '../lock/consoleLock';
import { guardWhileLocked } from '../lock/lockGate';
import { KeychainUnavailableError, type KeyStore } from '../notes/keyStore';
import type { NotesService } from '../notes/notesService';
import type { RostersService } from '../rosters/rostersService';
import { KEY_BYTES, wipe } from '../sealing';
import type { ServerSession } from '../services/serverSession';
import type { IpcHandlers } from './dispatch';

const log = createLogger('ipc');

/** Shows a desktop notification (Electron's Notification in main). */
export interface Notifier {
  show(title: string, body: string): void;
}

/** The system clipboard (Electron's clipboard in main). */
export interface Clipboard {
  writeText(text: string): void | Promise<void>;
  readText(): string | Promise<string>;
}

/** Files the clinician chose to save (Electron's save dialog in main). */
export interface Files {
  /** Asks where to save `text` (suggesting `suggestedName`) and writes it; null if cancelled. */
  saveText(suggestedName: string, text: string): Promise<string | null>;
}

export interface ConsoleServices {
  appInfo: AppInfo;
  server: ServerSession;
  notifier: Notifier;
  clipboard: Clipboard;
  notes: NotesService;
  rosters: RostersService;
  /**
   * The keychain door the vault and the roster cache use: invitation links' secrets come from
   * the same key (src/main/e2ee/linkSecrets.ts).
   */
  keyStore: KeyStore;
  files: Files;
  /** The idle lock: main's, driven by powerMonitor (see src/main/lock). */
  lock: ConsoleLock;
}

/** How long a copied link or passcode stays on the clipboard before main clears it. */
export const SECRET_CLIPBOARD_MS = 60_000;

const Nothing = z.unknown().transform(() => ({}) as Record<string, never>);
const enc = encodeURIComponent;

/** The breach report's query: the account or the workstation, and the range. */
function breachQuery(r: { clinicianId?: string | undefined; deviceId?: string | undefined; from: string; to: string }): string {
  const query = new URLSearchParams();
  if (r.clinicianId !== undefined) query.set('clinicianId', r.clinicianId);
  else query.set('deviceId', r.deviceId ?? '');
  query.set('from', r.from);
  query.set('to', r.to);
  return query.toString();
}

/** The words of a knock notification: a count, never a name. */
export function knockNotification(waiting: number): { title: string; body: string } {
  return {
    title: 'Confidant',
    body: waiting === 1 ? 'Someone is waiting to be let in.' : `${waiting} people are waiting to be let in.`,
  };
}

export function createHandlers(services: ConsoleServices): IpcHandlers {
  const { server, notes, rosters, lock, keyStore } = services;
  server.onSignedOut = () => {
    notes.close();
    rosters.close();
    lock.unlock();
  };

  /** The vault opening again for a link's key (below), while it does. */
  let reopening: Promise<void> | null = null;
  /**
   * The signed-in clinician's keychain key for invitation links' secrets (a copy, which
   * linkSecrets.ts wipes), or null when there is none to use: then a link goes out without a
   * secret and the clinician is told so. Never throws, since the server has already issued the
   * link by now: a failure here must not lose the only answer that shows its passcode.
   */
  const linkKeychainKey = async (): Promise<Uint8Array | null> => {
    const signedIn = server.current();
    if (!signedIn) return null;
    // The note vault's account: one key per clinician and server (NotesService.open).
    const account = `${signedIn.user.id}@${signedIn.serverUrl}`;
    try {
      let key = await keyStore.get(account);
      const vault = notes.status().vault;
      if (key === null && (vault.state === 'closed' || (vault.state === 'locked' && vault.reason === 'no-keychain'))) {
        // The keychain did not answer when the vault opened at sign-in, so the vault could not
        // make the key then. Only the vault makes it, under its own rule (never over existing
        // notes, src/main/notes/key.ts): open it again, which also unlocks the notes. Once for
        // calls that ask together: two opens at once would leave one vault open unseen.
        reopening ??= (async () => {
          await notes.open(signedIn);
          if (!rosters.cacheOpen()) await rosters.open(signedIn);
        })().finally(() => {
          reopening = null;
        });
        await reopening;
        key = await keyStore.get(account);
      }
      // Not a key (the vault stays locked over it): an empty HMAC key would give every
      // console the same secrets.
      if (key && key.length !== KEY_BYTES) {
        wipe(key);
        key = null;
      }
      if (!key) log.warn('link_secrets.off', { reason: 'no-key' });
      return key;
    } catch (err) {
      if (err instanceof KeychainUnavailableError) log.warn('link_secrets.off', { reason: 'no-keychain' });
      else log.error('link_secrets.failed', errorFields(err));
      return null;
    }
  };
  const handlers: IpcHandlers = {
    'app:info': async () => services.appInfo,
    'auth:signIn': async (request) => {
      const account = await server.signIn(request);
      await notes.open(account);
      // After the vault: the roster cache is sealed under the vault's key, made there on first use.
      await rosters.open(account);
      return account;
    },
    'auth:signOut': async () => {
      notes.close();
      rosters.close();
      await server.signOut();
      lock.unlock();
      return {};
    },
    'auth:unlock': async ({ password, totp }) => {
      if (!lock.isLocked()) return lock.state();
      // The server checks the password and code and counts failures towards the lockout;
      // a wrong one answers FORBIDDEN and the console stays locked.
      await server.api('POST', '/api/reauth', { password, ...(totp ? { totp } : {}) }, Nothing);
      lock.unlock();
      return lock.state();
    },
    'auth:lock': async () => {
      lock.lock('manual');
      return lock.state();
    },
    'lock:status': async () => lock.state(),
    'auth:current': async () => server.current(),
    'sessions:list': (range) => server.listSessions(range),
    'sessions:connect': ({ sessionId }) => server.connection(sessionId),
    'app:notifyKnock': async ({ waiting }) => {
      const { title, body } = knockNotification(waiting);
      services.notifier.show(title, body);
      return {};
    },
    'app:copy': async ({ text, secret }) => {
      const { clipboard } = services;
      await clipboard.writeText(text);
      if (secret) {
        // A passcode or invitation link should not linger where any app can read it.
        setTimeout(() => {
          void (async () => {
            if ((await clipboard.readText()) === text) await clipboard.writeText('');
          })().catch(() => undefined);
        }, SECRET_CLIPBOARD_MS).unref?.();
      }
      return {};
    },
    'sessions:create': (request) => server.api('POST', '/api/sessions', request, SessionSummary),
    'sessions:update': ({ id, changes }) => server.api('PATCH', `/api/sessions/${enc(id)}`, changes, SessionSummary),
    'invitations:list': ({ sessionId }) =>
      server.api('GET', `/api/sessions/${enc(sessionId)}/invitations`, undefined, InvitationList),
    // The server's link gets its secret here, in main: the keychain key never leaves main, and
    // the server never sees the secret.
    'invitations:create': async ({ sessionId, ...request }) =>
      issuedWithSecret(await server.api('POST', `/api/sessions/${enc(sessionId)}/invitations`, request, IssuedInvitation), await linkKeychainKey()),
    'invitations:reissue': async ({ invitationId }) =>
      issuedWithSecret(await server.api('POST', `/api/invitations/${enc(invitationId)}/reissue`, {}, IssuedInvitation), await linkKeychainKey()),
    'invitations:revoke': ({ invitationId }) =>
      server.api('POST', `/api/invitations/${enc(invitationId)}/revoke`, {}, InvitationSummary),
    'invitations:linkSecrets': async ({ sessionId }) =>
      secretsOf(await server.api('GET', `/api/sessions/${enc(sessionId)}/invitations`, undefined, InvitationList), await linkKeychainKey()),
    'clinicians:list': () => server.api('GET', '/api/clinicians', undefined, ColleagueList),
    'admin:accounts': () => server.api('GET', '/api/admin/clinicians', undefined, ClinicianAccountList),
    'admin:createAccount': (request) => server.api('POST', '/api/admin/clinicians', request, ClinicianAccount),
    'admin:updateAccount': ({ id, changes }) =>
      server.api('PATCH', `/api/admin/clinicians/${enc(id)}`, changes, ClinicianAccount),
    'admin:resetPassword': async ({ id, password }) =>
      server.api('POST', `/api/admin/clinicians/${enc(id)}/password`, { password }, Nothing),
    'admin:enrolTotp': ({ id }) => server.api('POST', `/api/admin/clinicians/${enc(id)}/totp`, {}, TotpEnrolment),
    'admin:breachReport': (request) => server.api('GET', `/api/admin/breach-report?${breachQuery(request)}`, undefined, BreachReport),
    'admin:exportBreachReport': async (request) => {
      const text = await server.apiText(`/api/admin/breach-report.csv?${breachQuery(request)}`, 'text/csv');
      const who = (request.clinicianId ?? request.deviceId ?? 'report').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
      return { path: await services.files.saveText(`breach-report-${request.from.slice(0, 10)}-${who}.csv`, text) };
    },
    'notes:status': async () => notes.status(),
    'notes:list': async (filter) => notes.list(filter),
    'notes:get': async ({ id }) => notes.get(id),
    'notes:create': ({ template, sessionId, serviceDate }) => notes.create(template, sessionId, serviceDate),
    'notes:save': async ({ id, body, expectedVersion }) => notes.save(id, body, expectedVersion),
    'notes:sign': async ({ id, needsCosign }) => notes.sign(id, needsCosign),
    'notes:addendum': async ({ id, text }) => notes.addendum(id, text),
    'notes:cosign': async ({ id }) => notes.cosign(id),
    'notes:return': async ({ id, comment }) => notes.returnToAuthor(id, comment),
    'notes:resolveConflict': async ({ id, keep }) => notes.resolveConflict(id, keep),
    'notes:sync': () => notes.syncNow(),
    'rosters:list': (range) => rosters.list(range),
    'rosters:get': ({ sessionId }) => rosters.get(sessionId),
    'rosters:exportCsv': async ({ sessionId }) => {
      const { suggestedName, text } = await rosters.exportCsv(sessionId);
      return { path: await services.files.saveText(suggestedName, text) };
    },
    'attendance:client': ({ participantRef, from, to }) => rosters.attendance(participantRef, from, to),
    'attendance:setTarget': ({ participantRef, hoursPerWeek }) => rosters.setTarget(participantRef, hoursPerWeek),
    'audit:verify': () => rosters.verifyAudit(),
    'audit:list': ({ sessionId }) => rosters.auditOf(sessionId),
    'recaps:get': async ({ sessionId }) => {
      try {
        return await server.api('GET', `/api/sessions/${enc(sessionId)}/recap`, undefined, SessionRecap);
      } catch (err) {
        if (err instanceof ProtocolError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
    'recaps:write': ({ sessionId, ...recap }) => server.api('PUT', `/api/sessions/${enc(sessionId)}/recap`, recap, SessionRecap),
  };
  return guardWhileLocked(handlers, lock);
}

/** macOS and Windows honour setContentProtection; Linux compositors offer no equivalent. */
export function captureProtectionFor(platform: string): AppInfo['captureProtection'] {
  return platform === 'darwin' || platform === 'win32' ? 'enforced' : 'unavailable';
}
