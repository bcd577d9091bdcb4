import { useEffect, useRef } from 'react';

/**
 * Moves focus to a screen's heading when the screen appears, so keyboard and screen-reader
 * users start at the top of what just changed instead of on a button that no longer exists.
 */
export function useFocusHeading<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
