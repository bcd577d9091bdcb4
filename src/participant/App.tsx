import { useParticipantStore } from './store';
import { ShieldIcon } from './components/icons';
import { LanguageSwitch } from './components/LanguageSwitch';
import { useWords } from './i18n';
import { PasscodeScreen } from './screens/PasscodeScreen';
import { CheckInScreen } from './screens/CheckInScreen';
import { WaitingScreen } from './screens/WaitingScreen';
import { CallScreen } from './screens/CallScreen';
import { EndedScreen } from './screens/EndedScreen';

export function App() {
  const screen = useParticipantStore((s) => s.screen);
  const announcement = useParticipantStore((s) => s.announcement);
  const sessionTitle = useParticipantStore((s) => s.sessionTitle);
  const inCall = screen === 'call' || screen === 'joining';
  const reconnecting = useParticipantStore((s) => s.reconnecting);
  const t = useWords();

  return (
    <div className={inCall ? 'app app--call' : 'app'}>
      <a className="skip-link" href="#main">
        {t.page.skipToContent}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            <ShieldIcon />
          </span>
          <span className="brand__name">Confidant</span>
        </div>
        {sessionTitle && screen !== 'ended' && !inCall ? <p className="topbar__session">{sessionTitle}</p> : null}
        <p className="topbar__privacy">
          <span className="dot" aria-hidden="true" /> {t.page.privacyBadge}
        </p>
        <LanguageSwitch />
      </header>

      {reconnecting && (
        <p className="reconnecting-banner" data-testid="reconnecting">
          {t.page.reconnecting}
        </p>
      )}
      <main id="main" className="main">
        {screen === 'passcode' && <PasscodeScreen />}
        {screen === 'checkIn' && <CheckInScreen />}
        {screen === 'waiting' && <WaitingScreen />}
        {inCall && <CallScreen />}
        {screen === 'ended' && <EndedScreen />}
      </main>

      {!inCall && (
        <footer className="footer">
          <p>{t.page.footer}</p>
        </footer>
      )}

      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
    </div>
  );
}
