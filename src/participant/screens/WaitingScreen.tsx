import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { MediaSwitches } from '../components/MediaSwitches';
import { SelfPreview } from '../components/SelfPreview';
import { DoorIcon, HeadphonesIcon, HeartIcon } from '../components/icons';

export function WaitingScreen() {
  const service = useService();
  const busy = useParticipantStore((s) => s.busy);
  const name = useParticipantStore((s) => s.displayName);
  const heading = useFocusHeading<HTMLHeadingElement>();

  return (
    <section className="waiting" aria-labelledby="waiting-title" data-screen="waiting">
      <div className="waiting__text">
        <p className="eyebrow">Step 3 of 3 · Waiting room</p>
        <h1 id="waiting-title" ref={heading} tabIndex={-1}>
          Waiting for your therapist to let you in
        </h1>
        <p className="lead">
          {name ? `Thank you, ${name}. ` : ''}You're checked in. Your therapist can see you're here and will let you in
          shortly. You'll join automatically, so there's no need to refresh.
        </p>
        <p className="status-pill">
          <span className="pulse" aria-hidden="true" />
          Checked in · your therapist knows you're here
        </p>
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
