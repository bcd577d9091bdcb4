import { useEffect, useRef } from 'react';

/** Plays one remote audio track through a hidden <audio autoplay> element. */
export function AudioSink({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    // By the time anyone is admitted the person has clicked on the page, so playback is allowed.
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoPlay hidden />;
}
