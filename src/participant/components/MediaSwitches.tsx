import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { CameraIcon, CameraOffIcon, MicIcon, MicOffIcon } from './icons';

/** Camera and microphone switches used before the call (check-in and waiting room). */
export function MediaSwitches() {
  const service = useService();
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  return (
    <div className="switches">
      <Switch
        label="Camera"
        on={wantVideo}
        onIcon={<CameraIcon />}
        offIcon={<CameraOffIcon />}
        onChange={(on) => void service.setWant('video', on)}
      />
      <Switch
        label="Microphone"
        on={wantAudio}
        onIcon={<MicIcon />}
        offIcon={<MicOffIcon />}
        onChange={(on) => void service.setWant('audio', on)}
      />
    </div>
  );
}

interface SwitchProps {
  label: string;
  on: boolean;
  onIcon: React.ReactNode;
  offIcon: React.ReactNode;
  onChange: (on: boolean) => void;
}

function Switch({ label, on, onIcon, offIcon, onChange }: SwitchProps) {
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
      <span className="switch__state" aria-hidden="true">{on ? 'On' : 'Off'}</span>
      <span className="switch__track" aria-hidden="true">
        <span className="switch__thumb" />
      </span>
    </button>
  );
}
