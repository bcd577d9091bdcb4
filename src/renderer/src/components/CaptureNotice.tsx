import { useConsole } from '../store';

/** Tells the clinician plainly whether the OS keeps this window out of screenshots and shares. */
export function CaptureNotice() {
  const info = useConsole((s) => s.appInfo);
  if (!info) return null;
  return info.captureProtection === 'enforced' ? (
    <span className="capture ok" title="This window is hidden from screenshots and screen sharing.">
      Screen capture blocked
    </span>
  ) : (
    <span
      className="capture warn"
      role="note"
      title="On Linux the operating system offers no way to hide a window from screenshots or screen sharing. Do not share this screen."
    >
      Screen capture can't be blocked on this system
    </span>
  );
}
