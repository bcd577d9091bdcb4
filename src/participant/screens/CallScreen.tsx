import { useRef } from 'react';
import { useParticipantStore, type Peer, type RemoteMedia } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { VideoView } from '../components/VideoView';
import { AudioSink } from '../components/AudioSink';
import { ChatPanel } from '../components/ChatPanel';
import { UnmutePrompt } from '../components/UnmutePrompt';
import { ModerationNotice } from '../components/ModerationNotice';
import { MessagePreview } from '../components/MessagePreview';
import { LOCKED_IN_CALL, LOCKED_IN_CALL_DETAIL, roleLabel } from '../copy';
import {
  CameraIcon,
  CameraOffIcon,
  LeaveIcon,
  LockBadgeIcon,
  LockIcon,
  MessageIcon,
  MicIcon,
  MicOffIcon,
} from '../components/icons';

export function CallScreen() {
  const screen = useParticipantStore((s) => s.screen);
  const peers = useParticipantStore((s) => s.peers);
  const remote = useParticipantStore((s) => s.remote);
  const title = useParticipantStore((s) => s.sessionTitle);
  const mediaError = useParticipantStore((s) => s.mediaError);
  const locked = useParticipantStore((s) => s.moderation.locked);
  const chatOpen = useParticipantStore((s) => s.moderation.chatOpen);
  const audioOnly = useParticipantStore((s) => !s.wantVideo && s.wantAudio);
  const service = useService();
  const heading = useFocusHeading<HTMLHeadingElement>();
  const chatToggle = useRef<HTMLButtonElement>(null);
  const closeChat = () => {
    service.closeChat();
    // Back to where the person opened it from.
    chatToggle.current?.focus();
  };

  // The therapist first, then everyone else in a stable order.
  const others = Object.values(peers).sort(
    (a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName),
  );
  const count = others.length + 1;

  return (
    <section className={chatOpen ? 'call call--chat' : 'call'} aria-labelledby="call-title" data-screen="call">
      <div className="call__stage">
        <header className="call__header">
          <h1 id="call-title" ref={heading} tabIndex={-1} className="call__title">
            {title || 'Group session'}
          </h1>
          <p className="call__meta">
            {screen === 'joining' ? 'Connecting you to the group…' : `${count} ${count === 1 ? 'person' : 'people'} here`}
          </p>
          {audioOnly && screen === 'call' ? (
            <p className="call__pill" data-testid="audio-only">
              <CameraOffIcon /> Audio only
            </p>
          ) : null}
          {locked ? (
            <p className="call__pill call__pill--quiet" title={LOCKED_IN_CALL_DETAIL} data-testid="locked-indicator">
              <LockIcon /> {LOCKED_IN_CALL}
              <span className="visually-hidden">: {LOCKED_IN_CALL_DETAIL}</span>
            </p>
          ) : null}
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

        <div className="call__dock">
          <UnmutePrompt />
          <ModerationNotice />
          <MessagePreview />
          <CallControls chatToggle={chatToggle} />
        </div>
      </div>
      {chatOpen ? <ChatPanel onClose={closeChat} /> : null}
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
  const cameraOn = !!video && wantVideo;
  return (
    <li className="tile tile--self" data-testid="tile-self">
      {cameraOn ? <VideoView track={video} mirrored className="tile__video" /> : <Avatar name={name} />}
      {!cameraOn ? <span className="tile__corner">Your camera is off</span> : null}
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

function CallControls({ chatToggle }: { chatToggle: React.RefObject<HTMLButtonElement | null> }) {
  const service = useService();
  const screen = useParticipantStore((s) => s.screen);
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const forced = useParticipantStore((s) => s.moderation.mutedByFacilitator);
  const mediaBusy = useParticipantStore((s) => s.mediaBusy);
  const chatOpen = useParticipantStore((s) => s.moderation.chatOpen);
  const unread = useParticipantStore((s) => s.moderation.unread);
  const busy = useParticipantStore((s) => s.busy);
  const joining = screen === 'joining';

  const micLabel = forced.audio
    ? 'Microphone muted by your therapist'
    : wantAudio
      ? 'Mute your microphone'
      : 'Unmute your microphone';
  const cameraLabel = forced.video
    ? 'Camera turned off by your therapist'
    : wantVideo
      ? 'Turn your camera off'
      : 'Turn your camera on';
  const chatLabel = `Message your therapist privately${unread > 0 ? `, ${unread} unread` : ''}`;

  return (
    <div className="controls" role="toolbar" aria-label="Call controls">
      <MediaControl
        on={wantAudio}
        locked={forced.audio}
        busy={mediaBusy.audio || joining}
        label={micLabel}
        text={forced.audio ? 'Muted' : wantAudio ? 'Mute' : 'Unmute'}
        onIcon={<MicIcon />}
        offIcon={<MicOffIcon />}
        onClick={() => void service.setWant('audio', !wantAudio)}
      />
      <MediaControl
        on={wantVideo}
        locked={forced.video}
        busy={mediaBusy.video || joining}
        label={cameraLabel}
        text={forced.video ? 'Camera off' : wantVideo ? 'Stop camera' : 'Start camera'}
        onIcon={<CameraIcon />}
        offIcon={<CameraOffIcon />}
        onClick={() => void service.setWant('video', !wantVideo)}
      />
      <button
        ref={chatToggle}
        type="button"
        className={chatOpen ? 'control control--active' : 'control'}
        aria-label={chatLabel}
        aria-expanded={chatOpen}
        onClick={() => (chatOpen ? service.closeChat() : service.openChat())}
        data-testid="chat-toggle"
      >
        <span className="control__icon">
          <MessageIcon />
          {unread > 0 ? (
            <span className="control__badge" aria-hidden="true" data-testid="chat-unread">
              {unread > 9 ? '9+' : unread}
            </span>
          ) : null}
        </span>
        <span>Message</span>
      </button>
      <button
        type="button"
        className="control control--leave"
        aria-label="Leave the session"
        onClick={() => void service.leave()}
        disabled={busy}
      >
        <LeaveIcon />
        <span>Leave</span>
      </button>
    </div>
  );
}

interface MediaControlProps {
  on: boolean;
  /** Muted by the therapist: still focusable and pressable, to explain why it stays off. */
  locked: boolean;
  busy: boolean;
  label: string;
  text: string;
  onIcon: React.ReactNode;
  offIcon: React.ReactNode;
  onClick: () => void;
}

function MediaControl({ on, locked, busy, label, text, onIcon, offIcon, onClick }: MediaControlProps) {
  const className = ['control', on ? '' : 'control--off', locked ? 'control--locked' : ''].filter(Boolean).join(' ');
  return (
    <button
      type="button"
      className={className}
      aria-label={label}
      // Not aria-disabled: pressing it is how the person learns why it stays off.
      aria-busy={busy || undefined}
      onClick={() => {
        if (!busy) onClick();
      }}
    >
      <span className="control__icon">
        {on ? onIcon : offIcon}
        {locked ? (
          <span className="control__lock">
            <LockBadgeIcon />
          </span>
        ) : null}
      </span>
      <span>{text}</span>
    </button>
  );
}
