import { useRef } from 'react';
import { useTrackPlayback } from './useTrackPlayback';

interface Props {
  track: MediaStreamTrack;
  /** Mirror our own camera, as people expect from a mirror; never mirror others. */
  mirrored?: boolean;
  className?: string;
}

/** A muted, inline <video> showing one track; audio is played separately by AudioSink. */
export function VideoView({ track, mirrored = false, className }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  useTrackPlayback(ref, track);
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
