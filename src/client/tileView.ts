/**
 * How a remote video is shown on screen (issue 22), for RoomClient.viewTrack: whether its
 * <video> can be seen at all (laid out, inside the viewport, the page itself visible) and how
 * tall it is drawn, in device pixels. A tile scrolled away, hidden, or in a minimised window is
 * not seen, and receives nothing.
 */
import type { TileView } from './receiving';

/** Calls `onView` with the video's view now and on every change; returns the stop. */
export function watchTileView(video: HTMLVideoElement, onView: (view: TileView) => void): () => void {
  // Until the observer's first word (it comes at once): laid out means seen.
  let inViewport = true;
  let last: TileView | null = null;
  const report = (): void => {
    const height = Math.round(video.clientHeight * (window.devicePixelRatio || 1));
    const view: TileView = { visible: inViewport && height > 0 && document.visibilityState === 'visible', height };
    if (last && last.visible === view.visible && last.height === view.height) return;
    last = view;
    onView(view);
  };
  const intersection = new IntersectionObserver((entries) => {
    const entry = entries[entries.length - 1];
    if (entry) inViewport = entry.isIntersecting;
    report();
  });
  const resize = new ResizeObserver(report);
  intersection.observe(video);
  resize.observe(video);
  document.addEventListener('visibilitychange', report);
  report();
  return () => {
    intersection.disconnect();
    resize.disconnect();
    document.removeEventListener('visibilitychange', report);
    // Gone from the screen (the tile went, or shows another track now): nothing more to show.
    if (last?.visible !== false) onView({ visible: false, height: 0 });
  };
}
