import { useEffect, useId, useRef } from 'react';
import type { MediaKind } from '../../shared/protocol';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { promptKind } from '../moderation';
import { unmutePromptCopy } from '../notices';
import { useWords } from '../i18n';
import { CameraIcon, MicIcon } from './icons';

/**
 * The therapist's invitation to turn the microphone or camera back on. Only an invitation:
 * nothing turns on until the person chooses to.
 */
export function UnmutePrompt() {
  const kind = useParticipantStore((s) => promptKind(s.moderation));
  if (!kind) return null;
  return <Prompt key={kind} kind={kind} />;
}

function Prompt({ kind }: { kind: MediaKind }) {
  const service = useService();
  const busy = useParticipantStore((s) => s.mediaBusy[kind]);
  const t = useWords();
  const copy = unmutePromptCopy(kind, t);
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    // Bring keyboard users to the question, unless they are in the middle of typing.
    const active = document.activeElement;
    const typing = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement;
    if (!typing) ref.current?.focus();
  }, []);

  return (
    <div
      ref={ref}
      className="prompt"
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      tabIndex={-1}
      data-testid="unmute-prompt"
    >
      <span className="prompt__icon" aria-hidden="true">
        {kind === 'audio' ? <MicIcon /> : <CameraIcon />}
      </span>
      <div className="prompt__text">
        <p id={titleId} className="prompt__title">
          {copy.title}
        </p>
        <p id={bodyId} className="prompt__body">
          {t.moderation.unmuteBody}
        </p>
      </div>
      <div className="prompt__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => void service.acceptUnmute(kind)}
        >
          {copy.accept}
        </button>
        <button type="button" className="button button--ghost" onClick={() => service.declineUnmute(kind)}>
          {t.moderation.notNow}
        </button>
      </div>
    </div>
  );
}
