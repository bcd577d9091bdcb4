import { useRef } from 'react';
import { useTrackPlayback } from './useTrackPlayback';

/** Plays one remote audio track through a hidden <audio autoplay> element. */
export function AudioSink({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useTrackPlayback(ref, track);
  return <audio ref={ref} autoPlay hidden />;
}
