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

function why(lock: LockState): string {
  switch (lock.reason) {
    case 'idle':
      return `Locked after ${lock.idleMinutes} ${lock.idleMinutes === 1 ? 'minute' : 'minutes'} without activity.`;
    case 'lock-screen':
      return 'Locked because the computer’s screen locked.';
    case 'suspend':
      return 'Locked because the computer went to sleep.';
    case 'manual':
    case null:
      return 'You locked the console.';
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
      if (err instanceof ProtocolError && err.code === 'UNAUTHENTICATED') useConsole.getState().signedOutByServer(err.message);
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
          <h1 id="lock-title">Confidant is locked</h1>
          <p className="muted">{why(lock)}</p>
          {inCall && (
            <p className="banner info" role="status" data-testid="lock-call-note">
              Your session is still connected. The group&apos;s video and sound stay hidden until you unlock.
            </p>
          )}
          <p className="lock-who">
            Signed in as <strong>{user.displayName}</strong> ({user.username})
          </p>
          <form onSubmit={(e) => void onSubmit(e)} className="form">
            <CredentialFields password={password} onPassword={setPassword} totp={totp} onTotp={setTotp} totpRequired={false} focusPassword />
            <ErrorBanner message={error} />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Unlocking…' : 'Unlock'}
            </button>
            <button type="button" className="button quiet" disabled={busy} onClick={() => void closeSession().then(signOut)}>
              {inCall ? 'Leave the session and sign out' : 'Sign out'}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}
