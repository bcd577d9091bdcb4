import { ErrorBanner } from './components/Banner';
import { useEffect, useState } from 'react';
import { messageOf } from './bridge';
import { Brand } from './components/Brand';
import { CaptureNotice } from './components/CaptureNotice';
import { loadAppInfo, signOut } from './services/account';
import { closeSession } from './services/room';
import { lockNow, watchLock } from './services/lock';
import { watchAnnouncements } from './services/announcer';
import { LockScreen } from './components/LockScreen';
import { useConsole } from './store';
import { RoomScreen } from './screens/RoomScreen';
import { AccountsScreen } from './screens/AccountsScreen';
import { NotesScreen } from './screens/NotesScreen';
import { RostersScreen } from './screens/RostersScreen';
import { SyncStatus } from './components/SyncStatus';
import { SessionsScreen } from './screens/SessionsScreen';
import { SignInScreen } from './screens/SignInScreen';
import { t } from './i18n';

export function App() {
  const account = useConsole((s) => s.account);
  const roomStatus = useConsole((s) => s.roomStatus);
  const view = useConsole((s) => s.view);
  const setView = useConsole((s) => s.setView);
  const [bootError, setBootError] = useState<string | null>(null);

  useEffect(() => {
    loadAppInfo().catch((err: unknown) => setBootError(messageOf(err)));
  }, []);
  // Main's idle lock: while locked, every screen below is unmounted (no names, video or
  // notes in the page); the live call itself runs on in services/room.ts.
  const locked = useConsole((s) => s.lock?.locked === true);
  useEffect(() => watchLock(), []);
  useEffect(() => watchAnnouncements(), []);
  if (account && locked) return <LockScreen />;

  const inRoom = roomStatus === 'connecting' || roomStatus === 'live' || roomStatus === 'reconnecting';
  return (
    <div className="app">
      <header className="topbar">
        <Brand />
        <CaptureNotice />
        {account && !inRoom && (
          <nav className="nav" aria-label={t.app.nav}>
            <button type="button" className="nav-link" aria-current={view === 'sessions' ? 'page' : undefined} onClick={() => setView('sessions')}>
              {t.app.sessions}
            </button>
            <button type="button" className="nav-link" aria-current={view === 'notes' ? 'page' : undefined} onClick={() => setView('notes')}>
              {t.app.notes}
            </button>
            <button type="button" className="nav-link" aria-current={view === 'rosters' ? 'page' : undefined} onClick={() => setView('rosters')}>
              {t.app.rosters}
            </button>
            {account.user.roles.includes('admin') && (
              <button type="button" className="nav-link" aria-current={view === 'accounts' ? 'page' : undefined} onClick={() => setView('accounts')}>
                {t.app.accounts}
              </button>
            )}
          </nav>
        )}
        <SyncStatus />
        {account && (
          <div className="account">
            <span className="account-name" title={account.user.displayName}>
              {account.user.displayName}
            </span>
            <button type="button" className="button quiet" onClick={() => void lockNow().catch(() => undefined)} title={t.app.lockTitle}>
              {t.app.lock}
            </button>
            <button
              type="button"
              className="button quiet"
              onClick={() => void closeSession().then(signOut)}
              disabled={inRoom}
              title={inRoom ? t.app.leaveFirst : undefined}
            >
              {t.app.signOut}
            </button>
          </div>
        )}
      </header>
      <main className="content">
        <Announcer />
        <ErrorBanner message={bootError} />
        {!account ? (
          <SignInScreen />
        ) : inRoom ? (
          <RoomScreen />
        ) : view === 'accounts' && account.user.roles.includes('admin') ? (
          <AccountsScreen />
        ) : view === 'notes' ? (
          <NotesScreen />
        ) : view === 'rosters' ? (
          <RostersScreen />
        ) : (
          <SessionsScreen />
        )}
      </main>
    </div>
  );
}

/**
 * The polite live region for what happens in the live session (services/announcer.ts): present
 * before anything is said in it, as screen readers only follow a region already on the page.
 */
function Announcer() {
  const text = useConsole((s) => s.announcement);
  return (
    <p className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
      {text}
    </p>
  );
}
