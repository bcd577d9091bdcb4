import { useState, type FormEvent } from 'react';
import type { LockState } from '../../../shared/ipc';
import { ProtocolError } from '../../../shared/protocol';
import { messageOf } from '../bridge';
import { signOut } from '../services/account';
import { unlock } from '../services/lock';
import { closeSession } from '../services/room';
import { useConsole } from '../store';
import { ErrorBanner } from './Banner';
import { Brand } from './Brand';
import { CaptureNotice } from './CaptureNotice';
import { CredentialFields } from './CredentialFields';
import { t } from '../i18n';

function why(lock: LockState): string {
  switch (lock.reason) {
    case 'idle':
      return t.lock.idle(lock.idleMinutes);
    case 'lock-screen':
      return t.lock.screenLocked;
    case 'suspend':
      return t.lock.suspend;
    case 'manual':
    case null:
      return t.lock.manual;
  }
}

/**
 * Covers the whole console while it is locked. It shows nobody's name, no video and no
 * notes — only the clinician's own name, so they know whose password to type — and the
 * screens behind it are unmounted, not hidden, so none of that is even in the page.
 */
export function LockScreen() {
  const lock = useConsole((s) => s.lock);
  const user = useConsole((s) => s.account?.user);
  const inCall = useConsole((s) => s.roomStatus === 'live' || s.roomStatus === 'connecting' || s.roomStatus === 'reconnecting');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!lock || !user) return null;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unlock(password, totp);
    } catch (err) {
      // Too many wrong attempts end the sign-in; say why on the sign-in screen.
      if (err instanceof ProtocolError && err.code === 'UNAUTHENTICATED') useConsole.getState().signedOutByServer(messageOf(err));
      setError(messageOf(err));
      setPassword('');
      setTotp('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="lock-screen">
      <header className="topbar">
        <Brand />
        <CaptureNotice />
      </header>
      <main className="content">
        <section className="card narrow" aria-labelledby="lock-title">
          <h1 id="lock-title">{t.lock.title}</h1>
          <p className="muted">{why(lock)}</p>
          {inCall && (
            <p className="banner info" role="status" data-testid="lock-call-note">
              {t.lock.callNote}
            </p>
          )}
          <p className="lock-who">
            {t.lock.signedInAs} <strong>{user.displayName}</strong> ({user.username})
          </p>
          <form onSubmit={(e) => void onSubmit(e)} className="form">
            <CredentialFields password={password} onPassword={setPassword} totp={totp} onTotp={setTotp} totpRequired={false} focusPassword />
            <ErrorBanner message={error} />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? t.lock.unlocking : t.lock.unlock}
            </button>
            <button type="button" className="button quiet" disabled={busy} onClick={() => void closeSession().then(signOut)}>
              {inCall ? t.lock.leaveAndSignOut : t.lock.signOut}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}
