import { useEffect, type RefObject } from 'react';

/**
 * Plays one track in a media element for as long as the element shows it, and lets go of the
 * track when it changes or the element goes. play() covers browsers that wait for it; by the
 * time anyone is admitted the person has clicked on the page, and muted video may always
 * play, so a refusal here has nothing to tell the person.
 */
export function useTrackPlayback(ref: RefObject<HTMLMediaElement | null>, track: MediaStreamTrack): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [ref, track]);
}
