import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { MediaSwitches } from '../components/MediaSwitches';
import { SelfPreview } from '../components/SelfPreview';
import { BackgroundChoice } from '../components/BackgroundChoice';
import { DoorIcon, HeadphonesIcon, HeartIcon, InfoIcon, LockIcon } from '../components/icons';
import { useWords } from '../i18n';
import { Message } from '../components/ChatPanel';

export function WaitingScreen() {
  const service = useService();
  const busy = useParticipantStore((s) => s.busy);
  const name = useParticipantStore((s) => s.displayName);
  const returned = useParticipantStore((s) => s.waitingNote === 'returned');
  // Let in: the call screen follows as soon as the camera is connected.
  const letIn = useParticipantStore((s) => s.waitingNote === 'letIn');
  const locked = useParticipantStore((s) => s.moderation.locked);
  const messages = useParticipantStore((s) => s.moderation.messages);
  const heading = useFocusHeading<HTMLHeadingElement>();
  const t = useWords();

  return (
    <section className="waiting" aria-labelledby="waiting-title" data-screen="waiting">
      <div className="waiting__text">
        {returned ? (
          <div className="note note--returned" data-testid="returned-note">
            <InfoIcon />
            <p>
              <strong>{t.waiting.returnedNote}.</strong> {t.waiting.returnedDetail}
            </p>
          </div>
        ) : (
          <p className="eyebrow">{t.waiting.step}</p>
        )}
        <h1 id="waiting-title" ref={heading} tabIndex={-1}>
          {letIn ? t.waiting.titleLetIn : returned ? t.waiting.titleReturned : t.waiting.title}
        </h1>
        <p className="lead">
          {letIn ? t.waiting.leadLetIn : returned ? t.waiting.leadReturned : t.waiting.lead(name)}
        </p>
        <p className="status-pill">
          <span className="pulse" aria-hidden="true" />
          {letIn ? t.waiting.statusLetIn : t.waiting.status}
        </p>
        {locked ? (
          <p className="quiet-line" data-testid="locked-indicator">
            <LockIcon />
            <span>{t.waiting.locked}</span>
          </p>
        ) : null}
        {messages.length > 0 ? (
          // New messages are announced by the page's status region.
          <section className="panel waiting__messages" aria-labelledby="waiting-messages-title" data-testid="waiting-messages">
            <h2 id="waiting-messages-title" className="panel__title">
              {t.waiting.messagesTitle}
            </h2>
            <ol className="chat__list chat__list--inline">
              {messages.map((m) => (
                <Message key={m.id} message={m} />
              ))}
            </ol>
            <p className="hint">
              {t.waiting.messagesHint(returned)}
            </p>
          </section>
        ) : null}
        <ul className="tips">
          <li>
            <DoorIcon />
            <span>{t.waiting.tipPrivate}</span>
          </li>
          <li>
            <HeadphonesIcon />
            <span>{t.waiting.tipHeadphones}</span>
          </li>
          <li>
            <HeartIcon />
            <span>{t.waiting.tipBreathe}</span>
          </li>
        </ul>
        <button type="button" className="button button--quiet" onClick={() => void service.leave()} disabled={busy}>
          {t.waiting.leave}
        </button>
      </div>
      <div className="waiting__side panel">
        <SelfPreview caption={t.media.waitingCaption} />
        <MediaSwitches />
        <BackgroundChoice />
      </div>
    </section>
  );
}
