import { useParticipantStore } from '../store';
import { useWords } from '../i18n';
import { useService } from '../serviceContext';
import { CameraIcon, CameraOffIcon, KeyboardIcon, MicIcon, MicOffIcon } from './icons';

/**
 * Camera and microphone switches used before the call (check-in and waiting room). At check-in
 * (`textOnlyChoice`) the person may instead take part by text only (issue 20): no camera or
 * microphone, the group chat; said at check-in, so the waiting room only shows it.
 */
export function MediaSwitches({ textOnlyChoice = false }: { textOnlyChoice?: boolean }) {
  const service = useService();
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  const textOnly = useParticipantStore((s) => s.textOnly);
  const t = useWords();
  if (textOnly) {
    return (
      <div className="switches switches--text" data-testid="text-only-choice">
        <p className="switches__text">
          <KeyboardIcon /> {t.media.textOnlyChosen}
        </p>
        {textOnlyChoice ? (
          <button type="button" className="button button--ghost" onClick={() => void service.setTextOnly(false)}>
            {t.media.useMediaInstead}
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <div className="switches">
      <Switch
        label={t.media.camera}
        state={t.media.switchState('video', wantVideo)}
        on={wantVideo}
        onIcon={<CameraIcon />}
        offIcon={<CameraOffIcon />}
        onChange={(on) => void service.setWant('video', on)}
      />
      <Switch
        label={t.media.microphone}
        state={t.media.switchState('audio', wantAudio)}
        on={wantAudio}
        onIcon={<MicIcon />}
        offIcon={<MicOffIcon />}
        onChange={(on) => void service.setWant('audio', on)}
      />
      {textOnlyChoice ? (
        <button
          type="button"
          className="button button--ghost switches__text-only"
          onClick={() => void service.setTextOnly(true)}
          data-testid="choose-text-only"
        >
          <KeyboardIcon /> {t.media.chooseTextOnly}
        </button>
      ) : null}
    </div>
  );
}

interface SwitchProps {
  label: string;
  /** Its state in words ("On"), beside the name. */
  state: string;
  on: boolean;
  onIcon: React.ReactNode;
  offIcon: React.ReactNode;
  onChange: (on: boolean) => void;
}

function Switch({ label, state, on, onIcon, offIcon, onChange }: SwitchProps) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={on}
      className={on ? 'switch switch--on' : 'switch'}
      onClick={() => onChange(!on)}
    >
      <span className="switch__icon">{on ? onIcon : offIcon}</span>
      <span className="switch__label">{label}</span>
      <span className="switch__state" aria-hidden="true">{state}</span>
      <span className="switch__track" aria-hidden="true">
        <span className="switch__thumb" />
      </span>
    </button>
  );
}
