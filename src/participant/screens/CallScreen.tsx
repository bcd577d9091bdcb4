import { useParticipantStore, type Peer, type RemoteMedia } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { VideoView } from '../components/VideoView';
import { AudioSink } from '../components/AudioSink';
import { roleLabel } from '../copy';
import { CameraIcon, CameraOffIcon, LeaveIcon, MicIcon, MicOffIcon } from '../components/icons';

export function CallScreen() {
  const screen = useParticipantStore((s) => s.screen);
  const peers = useParticipantStore((s) => s.peers);
  const remote = useParticipantStore((s) => s.remote);
  const title = useParticipantStore((s) => s.sessionTitle);
  const mediaError = useParticipantStore((s) => s.mediaError);
  const heading = useFocusHeading<HTMLHeadingElement>();

  // The therapist first, then everyone else in a stable order.
  const others = Object.values(peers).sort(
    (a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName),
  );
  const count = others.length + 1;

  return (
    <section className="call" aria-labelledby="call-title" data-screen="call">
      <header className="call__header">
        <h1 id="call-title" ref={heading} tabIndex={-1} className="call__title">
          {title || 'Group session'}
        </h1>
        <p className="call__meta">
          {screen === 'joining' ? 'Connecting you to the group…' : `${count} ${count === 1 ? 'person' : 'people'} here`}
        </p>
      </header>

      {mediaError ? (
        <p className="call__notice" role="alert">
          {mediaError}
        </p>
      ) : null}

      <ul className={`grid grid--${Math.min(count, 9)}`} aria-label="People in the session">
        <SelfTile />
        {others.map((p) => (
          <RemoteTile key={p.participantId} peer={p} media={remote[p.participantId]} />
        ))}
      </ul>

      {Object.entries(remote).map(([id, m]) =>
        m.audio ? <AudioSink key={`${id}-${m.audio.producerId}`} track={m.audio.track} /> : null,
      )}

      <CallControls />
    </section>
  );
}

function rank(p: Peer): number {
  return p.role === 'facilitator' ? 0 : p.role === 'observer' ? 2 : 1;
}

function SelfTile() {
  const video = useParticipantStore((s) => s.localVideo);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  const audio = useParticipantStore((s) => s.localAudio);
  const name = useParticipantStore((s) => s.displayName);
  const micOn = wantAudio && !!audio;
  return (
    <li className="tile tile--self" data-testid="tile-self">
      {video && wantVideo ? <VideoView track={video} mirrored className="tile__video" /> : <Avatar name={name} />}
      <TileLabel name={`${name || 'You'} (you)`} micOn={micOn} />
    </li>
  );
}

function RemoteTile({ peer, media }: { peer: Peer; media: RemoteMedia | undefined }) {
  const video = media?.video && !media.video.paused ? media.video.track : null;
  const micOn = !!media?.audio && !media.audio.paused;
  return (
    <li className="tile" data-testid={`tile-${peer.participantId}`}>
      {video ? <VideoView track={video} className="tile__video" /> : <Avatar name={peer.displayName} />}
      <TileLabel name={peer.displayName} role={roleLabel(peer.role)} micOn={micOn} />
    </li>
  );
}

function TileLabel({ name, role, micOn }: { name: string; role?: string | null; micOn: boolean }) {
  return (
    <div className="tile__label">
      <span className={micOn ? 'tile__mic' : 'tile__mic tile__mic--off'}>
        {micOn ? <MicIcon /> : <MicOffIcon />}
        <span className="visually-hidden">{micOn ? 'Microphone on' : 'Microphone off'}</span>
      </span>
      <span className="tile__name">{name}</span>
      {role ? <span className="badge">{role}</span> : null}
    </div>
  );
}

function Avatar({ name }: { name: string }) {
  const initials =
    name
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .map((w) => w.charAt(0).toUpperCase())
      .join('') || '·';
  return (
    <div className="tile__avatar" aria-hidden="true">
      <span>{initials}</span>
    </div>
  );
}

function CallControls() {
  const service = useService();
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const forced = useParticipantStore((s) => s.mutedByFacilitator);
  const busy = useParticipantStore((s) => s.busy);
  return (
    <div className="controls" role="toolbar" aria-label="Call controls">
      <button
        type="button"
        className={wantAudio ? 'control' : 'control control--off'}
        aria-label={wantAudio ? 'Mute your microphone' : 'Unmute your microphone'}
        onClick={() => void service.setWant('audio', !wantAudio)}
        title={forced.audio ? 'Your therapist has muted your microphone' : undefined}
      >
        {wantAudio ? <MicIcon /> : <MicOffIcon />}
        <span>{wantAudio ? 'Mute' : 'Unmute'}</span>
      </button>
      <button
        type="button"
        className={wantVideo ? 'control' : 'control control--off'}
        aria-label={wantVideo ? 'Turn your camera off' : 'Turn your camera on'}
        onClick={() => void service.setWant('video', !wantVideo)}
      >
        {wantVideo ? <CameraIcon /> : <CameraOffIcon />}
        <span>{wantVideo ? 'Stop camera' : 'Start camera'}</span>
      </button>
      <button
        type="button"
        className="control control--leave"
        aria-label="Leave the session"
        onClick={() => void service.leave()} disabled={busy}>
        <LeaveIcon />
        <span>Leave</span>
      </button>
    </div>
  );
}
