import { useEffect, useRef } from 'react';
import type { TileView } from '../../client/roomClient';
import { watchTileView } from '../../client/tileView';
import { useTrackPlayback } from './useTrackPlayback';

interface Props {
  track: MediaStreamTrack;
  /** Mirror our own camera, as people expect from a mirror; never mirror others. */
  mirrored?: boolean;
  className?: string;
  /** Someone else's video: told how it is shown, so an unseen one receives nothing and a small one less (issue 22). */
  onView?: (track: MediaStreamTrack, view: TileView) => void;
}

/** A muted, inline <video> showing one track; audio is played separately by AudioSink. */
export function VideoView({ track, mirrored = false, className, onView }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  useTrackPlayback(ref, track);
  useEffect(() => {
    const el = ref.current;
    if (!el || !onView) return;
    return watchTileView(el, (view) => onView(track, view));
  }, [track, onView]);
  return (
    <video
      ref={ref}
      className={[className, 'video', mirrored ? 'video--mirrored' : ''].filter(Boolean).join(' ')}
      autoPlay
      playsInline
      muted
    />
  );
}
