import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { noticeText } from '../notices';
import { useWords } from '../i18n';
import { CloseIcon, InfoIcon } from './icons';

/** A calm line about the last mute, near the controls; announced by the page's status region. */
export function ModerationNotice() {
  const service = useService();
  const notice = useParticipantStore((s) => s.moderation.notice);
  const t = useWords();
  if (!notice) return null;
  return (
    <div className="mod-notice" data-testid="moderation-notice" data-notice={`${notice.type}-${notice.kind}`}>
      <InfoIcon />
      <p className="mod-notice__text">{noticeText(notice, t)}</p>
      <button type="button" className="icon-button icon-button--small" aria-label={t.moderation.dismissNote} onClick={() => service.dismissNotice()}>
        <CloseIcon />
      </button>
    </div>
  );
}
