import { useEffect, useRef } from 'react';

interface Props {
  track: MediaStreamTrack;
  /** Mirror our own camera, as people expect from a mirror; never mirror others. */
  mirrored?: boolean;
  className?: string;
}

/** A muted, inline <video> showing one track; audio is played separately by AudioSink. */
export function VideoView({ track, mirrored = false, className }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    // Autoplay of a muted video is allowed everywhere; play() covers browsers that wait.
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track]);
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
