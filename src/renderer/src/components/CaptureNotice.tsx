import { useConsole } from '../store';

/** The exact words the console uses for its capture protection, per what main reported. */
export const CAPTURE_WORDS = {
  enforced: 'Screen capture is blocked',
  unavailable: 'This system cannot block screen capture',
} as const;

/** Tells the clinician plainly whether the OS keeps this window out of screenshots and shares. */
export function CaptureNotice() {
  const info = useConsole((s) => s.appInfo);
  if (!info) return null;
  return info.captureProtection === 'enforced' ? (
    <span className="capture ok" data-testid="capture-notice" title="This window is hidden from screenshots and screen sharing.">
      {CAPTURE_WORDS.enforced}
    </span>
  ) : (
    <span
      className="capture warn"
      role="note"
      data-testid="capture-notice"
      title="On Linux the operating system offers no way to hide a window from screenshots or screen sharing. Do not share this screen."
    >
      {CAPTURE_WORDS.unavailable}
    </span>
  );
}
