import { useEffect } from 'react';
import { refreshNotesStatus, syncNow } from '../services/notes';
import { useConsole } from '../store';
import { t as words } from '../i18n';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** Online or offline, what waits to sync, and a button to sync now; polled from main. */
export function SyncStatus() {
  const status = useConsole((s) => s.notesStatus);
  const signedIn = useConsole((s) => s.account !== null);
  useEffect(() => {
    if (!signedIn) return;
    void refreshNotesStatus().catch(() => undefined);
    const t = setInterval(() => void refreshNotesStatus().catch(() => undefined), 3000);
    return () => clearInterval(t);
  }, [signedIn]);
  const sync = status?.sync;
  if (!signedIn || !sync) return null;
  const text = sync.syncing
    ? words.sync.syncing
    : !sync.online
      ? words.sync.offline(sync.pending ? words.sync.waiting(sync.pending) : null)
      : sync.pending
        ? words.sync.waiting(sync.pending)
        : words.sync.synced(sync.lastSyncedAt ? time.format(new Date(sync.lastSyncedAt)) : null);
  return (
    <div className={`sync ${sync.online ? 'online' : 'offline'}`} role="status" aria-live="polite" data-testid="sync-status">
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-text" title={text}>
        {text}
      </span>
      {sync.conflicts > 0 && <span className="pill inv-revoked">{words.sync.toResolve(sync.conflicts)}</span>}
      <button type="button" className="button quiet small" onClick={() => void syncNow().catch(() => undefined)} disabled={sync.syncing}>
        {words.sync.syncNow}
      </button>
    </div>
  );
}
