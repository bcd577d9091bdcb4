import { BACKGROUND_MODES, type BackgroundMode } from '../../client/backdrop';
import { useParticipantStore } from '../store';
import { useWords } from '../i18n';
import { useService } from '../serviceContext';

/**
 * How the room behind the person is shown (issue 21): as it is, blurred, or a plain backdrop.
 * At check-in and in the waiting room beside the preview (`compact` false: three choices with
 * a line on what they mean); in the call, a compact list in the toolbar.
 */
export function BackgroundChoice({ compact = false }: { compact?: boolean }) {
  const service = useService();
  const background = useParticipantStore((s) => s.background);
  const failed = useParticipantStore((s) => s.backgroundFailed);
  const textOnly = useParticipantStore((s) => s.textOnly);
  const t = useWords();
  if (textOnly) return null;
  const choose = (mode: BackgroundMode) => void service.setBackground(mode);
  const failure = failed && background !== 'none' ? (
    <p className="error" role="alert" data-testid="background-failed">
      {t.media.backgroundFailed}
    </p>
  ) : null;
  if (compact) {
    return (
      <label className="control control--select" data-testid="background-choice">
        <span>{t.media.backgroundLegend}</span>
        <select value={background} onChange={(e) => choose(e.target.value as BackgroundMode)}>
          {BACKGROUND_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {t.media.backgroundOption(mode)}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <fieldset className="background-choice" data-testid="background-choice">
      <legend>{t.media.backgroundLegend}</legend>
      {BACKGROUND_MODES.map((mode) => (
        <label key={mode} className="background-choice__option">
          <input type="radio" name="background" value={mode} checked={background === mode} onChange={() => choose(mode)} />{' '}
          {t.media.backgroundOption(mode)}
        </label>
      ))}
      {failure ?? <p className="hint">{t.media.backgroundHint}</p>}
    </fieldset>
  );
}

/** In the call: told plainly, beside the tiles, when blur could not start. */
export function BackgroundFailure() {
  const failed = useParticipantStore((s) => s.backgroundFailed);
  const background = useParticipantStore((s) => s.background);
  const t = useWords();
  if (!failed || background === 'none') return null;
  return (
    <p className="error" role="alert" data-testid="background-failed">
      {t.media.backgroundFailed}
    </p>
  );
}
