import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { MediaSwitches } from '../components/MediaSwitches';
import { SelfPreview } from '../components/SelfPreview';
import { DoorIcon, HeadphonesIcon, HeartIcon, InfoIcon, LockIcon } from '../components/icons';
import { LOCKED_WAITING, RETURNED_TO_WAITING } from '../copy';
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

  return (
    <section className="waiting" aria-labelledby="waiting-title" data-screen="waiting">
      <div className="waiting__text">
        {returned ? (
          <div className="note note--returned" data-testid="returned-note">
            <InfoIcon />
            <p>
              <strong>{RETURNED_TO_WAITING}.</strong> This can happen for many reasons and doesn't mean you did anything
              wrong. You're no longer seen or heard by the group.
            </p>
          </div>
        ) : (
          <p className="eyebrow">Step 3 of 3 · Waiting room</p>
        )}
        <h1 id="waiting-title" ref={heading} tabIndex={-1}>
          {letIn
            ? 'Your therapist let you in'
            : returned
              ? 'Waiting for your therapist to let you back in'
              : 'Waiting for your therapist to let you in'}
        </h1>
        <p className="lead">
          {letIn
            ? 'Connecting you to the group…'
            : returned
            ? "Your place is kept. When your therapist lets you back in, you'll rejoin the group automatically — there's no need to refresh."
            : `${name ? `Thank you, ${name}. ` : ''}You're checked in. Your therapist can see you're here and will let you in shortly. You'll join automatically, so there's no need to refresh.`}
        </p>
        <p className="status-pill">
          <span className="pulse" aria-hidden="true" />
          {letIn ? 'Joining the group…' : "Checked in · your therapist knows you're here"}
        </p>
        {locked ? (
          <p className="quiet-line" data-testid="locked-indicator">
            <LockIcon />
            <span>{LOCKED_WAITING}</span>
          </p>
        ) : null}
        {messages.length > 0 ? (
          // New messages are announced by the page's status region.
          <section className="panel waiting__messages" aria-labelledby="waiting-messages-title" data-testid="waiting-messages">
            <h2 id="waiting-messages-title" className="panel__title">
              Private messages with your therapist
            </h2>
            <ol className="chat__list chat__list--inline">
              {messages.map((m) => (
                <Message key={m.id} message={m} />
              ))}
            </ol>
            <p className="hint">
              You can reply once you’re {returned ? 'back ' : ''}in the session. Messages aren’t saved.
            </p>
          </section>
        ) : null}
        <ul className="tips">
          <li>
            <DoorIcon />
            <span>If you can, find a private spot where you won't be overheard.</span>
          </li>
          <li>
            <HeadphonesIcon />
            <span>Headphones help keep what others share private.</span>
          </li>
          <li>
            <HeartIcon />
            <span>Take a slow breath. There's no rush — you can share as much or as little as you like.</span>
          </li>
        </ul>
        <button type="button" className="button button--quiet" onClick={() => void service.leave()} disabled={busy}>
          Leave the waiting room
        </button>
      </div>
      <div className="waiting__side panel">
        <SelfPreview caption="This is how you'll appear. Only you can see it until you're let in." />
        <MediaSwitches />
      </div>
    </section>
  );
}
