import { useEffect, useRef } from 'react';
import type { TileView } from '../../../client/roomClient';
import { watchTileView } from '../../../client/tileView';
import { t } from '../i18n';

interface Props {
  testId: string;
  name: string;
  detail?: string;
  stream: MediaStream | null;
  /** The facilitator's own preview: mirrored and never played back. */
  self?: boolean;
  cameraOff?: boolean;
  micOff?: boolean;
  /** Their connection dropped; they keep their place in the group while it comes back. */
  reconnecting?: boolean;
  /** Taking part by text only (issue 20): no camera or microphone to show. */
  textOnly?: boolean;
  /** Someone else's video: told how it is shown, so an unseen one receives nothing and a small one less (issue 22). */
  onView?: (track: MediaStreamTrack, view: TileView) => void;
}

export function VideoTile({ testId, name, detail, stream, self = false, cameraOff = false, micOff = false, reconnecting = false, textOnly = false, onView }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (video.current && video.current.srcObject !== stream) video.current.srcObject = stream;
  }, [stream]);
  const showVideo = stream !== null && !cameraOff;
  const track = stream?.getVideoTracks()[0];
  useEffect(() => {
    const el = video.current;
    if (!el || !track || !onView) return;
    return watchTileView(el, (view) => onView(track, view));
  }, [track, onView]);
  return (
    <figure className={`tile${self ? ' self' : ''}`} data-testid={testId}>
      <video ref={video} autoPlay playsInline muted className={showVideo ? '' : 'hidden'} aria-hidden={!showVideo} />
      {!showVideo && (
        <div className="tile-placeholder" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </div>
      )}
      <figcaption>
        <span className="tile-name">{name}</span>
        {detail && <span className="tile-detail">{detail}</span>}
        {reconnecting ? (
          <span className="tile-flag">{t.roomScreen.tileReconnecting}</span>
        ) : textOnly ? (
          <span className="tile-flag neutral">{t.roomScreen.tileTextOnly}</span>
        ) : (
          micOff && <span className="tile-flag">{t.roomScreen.tileMicOff}</span>
        )}
      </figcaption>
    </figure>
  );
}

/** Plays one remote audio track; invisible. */
export function AudioSink({ track }: { track: MediaStreamTrack }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (audio.current) audio.current.srcObject = new MediaStream([track]);
  }, [track]);
  return <audio ref={audio} autoPlay data-testid="remote-audio" />;
}
