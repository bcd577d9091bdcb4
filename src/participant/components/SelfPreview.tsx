import { useParticipantStore } from '../store';
import { VideoView } from './VideoView';
import { CameraOffIcon } from './icons';

/** The person's own camera before the call, or a calm placeholder when it is off. */
export function SelfPreview({ caption }: { caption?: string }) {
  const video = useParticipantStore((s) => s.localVideo);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  return (
    <figure className="preview" data-testid="self-preview">
      {video ? (
        <VideoView track={video} mirrored className="preview__video" />
      ) : (
        <div className="preview__off">
          <CameraOffIcon />
          <span>{wantVideo ? 'Starting your camera…' : 'Your camera is off'}</span>
        </div>
      )}
      <figcaption className="preview__caption">{caption ?? 'Only you can see this preview'}</figcaption>
    </figure>
  );
}
