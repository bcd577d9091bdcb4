import { useParticipantStore } from '../store';
import { useWords } from '../i18n';
import { VideoView } from './VideoView';
import { CameraOffIcon } from './icons';

/** The person's own camera before the call, or a calm placeholder when it is off. */
export function SelfPreview({ caption }: { caption?: string }) {
  const video = useParticipantStore((s) => s.localVideo);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const t = useWords();
  return (
    <figure className="preview" data-testid="self-preview">
      {video ? (
        <VideoView track={video} mirrored className="preview__video" />
      ) : (
        <div className="preview__off">
          <CameraOffIcon />
          <span>{wantVideo ? t.media.previewStarting : t.media.previewOff}</span>
        </div>
      )}
      <figcaption className="preview__caption">{caption ?? t.media.previewCaption}</figcaption>
    </figure>
  );
}
