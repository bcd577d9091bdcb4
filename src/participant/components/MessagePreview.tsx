import { useParticipantStore } from '../store';
import { useWords } from '../i18n';
import { useService } from '../serviceContext';
import { CloseIcon, MessageIcon } from './icons';

/** The therapist's latest message while the conversation is closed, so it is not missed. */
export function MessagePreview() {
  const service = useService();
  const preview = useParticipantStore((s) => s.moderation.preview);
  const t = useWords();
  if (!preview) return null;
  return (
    <div className="msg-preview" data-testid="message-preview">
      <MessageIcon />
      <div className="msg-preview__body">
        <p className="msg-preview__who">{t.chat.previewFrom}</p>
        <p className="msg-preview__text">{preview.text}</p>
      </div>
      <button type="button" className="button button--ghost msg-preview__reply" onClick={() => service.openChat()}>
        {t.chat.reply}
      </button>
      <button
        type="button"
        className="icon-button icon-button--small"
        aria-label={t.chat.dismissPreview}
        onClick={() => service.dismissPreview()}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
