import { useConsole } from '../store';
import { t } from '../i18n';

/** The exact words the console uses for its capture protection, per what main reported. */
export const CAPTURE_WORDS = { enforced: t.capture.enforced, unavailable: t.capture.unavailable } as const;

/** Tells the clinician plainly whether the OS keeps this window out of screenshots and shares. */
export function CaptureNotice() {
  const info = useConsole((s) => s.appInfo);
  if (!info) return null;
  return info.captureProtection === 'enforced' ? (
    <span className="capture ok" data-testid="capture-notice" title={t.capture.enforcedTitle}>
      {CAPTURE_WORDS.enforced}
    </span>
  ) : (
    <span
      className="capture warn"
      role="note"
      data-testid="capture-notice"
      title={t.capture.unavailableTitle}
    >
      {CAPTURE_WORDS.unavailable}
    </span>
  );
}
