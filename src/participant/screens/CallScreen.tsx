import { useRef } from 'react';
import { useParticipantStore, type Peer, type RemoteMedia } from '../store';
import { useService } from '../serviceContext';
import { useFocusHeading } from '../components/useFocusHeading';
import { VideoView } from '../components/VideoView';
import { AudioSink } from '../components/AudioSink';
import { ChatPanel, GroupChatPanel } from '../components/ChatPanel';

import { UnmutePrompt } from '../components/UnmutePrompt';
import { ModerationNotice } from '../components/ModerationNotice';
import { MessagePreview } from '../components/MessagePreview';
import { INCOMING_VIDEO_HELD, LOCKED_IN_CALL, LOCKED_IN_CALL_DETAIL, roleLabel, VIDEO_HELD_BACK } from '../copy';
import {
  CameraIcon,
  CameraOffIcon,
  GroupChatIcon,
  KeyboardIcon,
  LeaveIcon,
  LockBadgeIcon,
  LockIcon,
  MessageIcon,
  MicIcon,
  MicOffIcon,
  ShieldIcon,
} from '../components/icons';

export function CallScreen() {
  const screen = useParticipantStore((s) => s.screen);
  const peers = useParticipantStore((s) => s.peers);
  const remote = useParticipantStore((s) => s.remote);
  const title = useParticipantStore((s) => s.sessionTitle);
  const mediaError = useParticipantStore((s) => s.mediaError);
  const locked = useParticipantStore((s) => s.moderation.locked);
  const chatOpen = useParticipantStore((s) => s.moderation.chatOpen);
  const groupChatOpen = useParticipantStore((s) => s.groupChat.open);
  const audioOnly = useParticipantStore((s) => !s.wantVideo && s.wantAudio);
  const textOnly = useParticipantStore((s) => s.textOnly);
  const service = useService();
  const heading = useFocusHeading<HTMLHeadingElement>();
  const chatToggle = useRef<HTMLButtonElement>(null);
  const groupChatToggle = useRef<HTMLButtonElement>(null);
  const closeChat = () => {
    service.closeChat();
    // Back to where the person opened it from.
    chatToggle.current?.focus();
  };
  const closeGroupChat = () => {
    service.closeGroupChat();
    groupChatToggle.current?.focus();
  };

  // The therapist first, then everyone else in a stable order.
  const others = Object.values(peers).sort(
    (a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName),
  );
  const count = others.length + 1;

  return (
    <section className={chatOpen || groupChatOpen ? 'call call--chat' : 'call'} aria-labelledby="call-title" data-screen="call">
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
          {textOnly ? (
            <p className="call__pill" data-testid="text-only">
              <KeyboardIcon /> Taking part by text
            </p>
          ) : null}
          <EncryptionPill />
          <ConnectionPill />
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
        <EncryptionNotice />
        <VideoHeldBackNotice />

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
          <CallControls chatToggle={chatToggle} groupChatToggle={groupChatToggle} />
        </div>
      </div>
      {chatOpen ? <ChatPanel onClose={closeChat} /> : null}
      {groupChatOpen ? <GroupChatPanel onClose={closeGroupChat} /> : null}
    </section>
  );
}

/** Whether what the person sends and sees is sealed end to end (issue 19). */
function EncryptionPill() {
  const status = useParticipantStore((s) => s.encryption.status);
  const epoch = useParticipantStore((s) => s.encryption.epoch);
  if (status === 'on') {
    return (
      <p className="call__pill" data-testid="encryption" data-state="on" data-epoch={epoch ?? undefined} title={ENCRYPTED_DETAIL}>
        <ShieldIcon /> End-to-end encrypted
        <span className="visually-hidden">: {ENCRYPTED_DETAIL}</span>
      </p>
    );
  }
  if (status === 'waiting' || status === 'needsCode') {
    return (
      <p className="call__pill call__pill--quiet" data-testid="encryption" data-state={status}>
        <ShieldIcon /> Setting up encryption…
      </p>
    );
  }
  return null;
}

/** The camera, or the group's video, held back on a link that cannot carry it (issue 22), said plainly. */
function VideoHeldBackNotice() {
  const held = useParticipantStore((s) => s.videoHeldBack);
  const incomingHeld = useParticipantStore((s) => s.incomingVideoHeld);
  if (!held && !incomingHeld) return null;
  return (
    <>
      {held ? (
        <p className="call__notice" data-testid="video-held-back">
          {VIDEO_HELD_BACK}
        </p>
      ) : null}
      {incomingHeld ? (
        <p className="call__notice" data-testid="incoming-video-held">
          {INCOMING_VIDEO_HELD}
        </p>
      ) : null}
    </>
  );
}

const CONNECTION_WORDS = {
  good: { label: 'Connection good', detail: 'your connection to the group is working well' },
  weak: {
    label: 'Connection weak',
    detail: 'video may freeze or look blurry; moving closer to your Wi-Fi router, or turning your camera off, can help',
  },
  poor: {
    label: 'Connection poor',
    detail: 'others may not see or hear you well; turning your camera off leaves more room for your voice',
  },
} as const;

/** How good the person's own connection is (issue 22), once measured; their therapist sees it too. */
function ConnectionPill() {
  const quality = useParticipantStore((s) => s.connectionQuality);
  if (!quality) return null;
  const words = CONNECTION_WORDS[quality];
  return (
    <p
      className={quality === 'good' ? 'call__pill call__pill--quiet' : `call__pill call__pill--${quality}`}
      data-testid="connection"
      data-quality={quality}
      title={words.detail}
    >
      <SignalIcon quality={quality} /> {words.label}
      <span className="visually-hidden">: {words.detail}</span>
    </p>
  );
}

function SignalIcon({ quality }: { quality: 'good' | 'weak' | 'poor' }) {
  const bars = quality === 'good' ? 3 : quality === 'weak' ? 2 : 1;
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {[0, 1, 2].map((i) => (
        <rect key={i} x={2 + i * 5} y={11 - i * 4} width="3" height={4 + i * 4} rx="1" fill="currentColor" opacity={i < bars ? 1 : 0.3} />
      ))}
    </svg>
  );
}

const ENCRYPTED_DETAIL = 'only the people in this group can see and hear it, not the server that connects you';

/** The safety code to read with the therapist, or why the call stays closed to this browser. */
function EncryptionNotice() {
  const { status, code } = useParticipantStore((s) => s.encryption);
  const service = useService();
  if (status === 'needsCode') {
    return (
      <div className="call__notice call__notice--code" role="region" aria-label="Safety code" data-testid="safety-code">
        <p>
          Your therapist will read you a safety code. If it is <strong className="safety-code">{code}</strong>, the
          connection between you is private.
        </p>
        <button type="button" className="button" onClick={() => void service.confirmSafetyCode()}>
          It matches
        </button>
      </div>
    );
  }
  if (status === 'refused') {
    return (
      <p className="call__notice" role="alert" data-testid="encryption-refused">
        The key offered for this call does not match your invitation link, so for your privacy nothing is sent or
        shown. Please tell your therapist.
      </p>
    );
  }
  if (status === 'unsupported') {
    return (
      <p className="call__notice" role="alert" data-testid="encryption-unsupported">
        This browser cannot encrypt the call end to end, so it cannot show or send the group’s video and sound.
        Please join from a current version of Chrome, Edge, Firefox or Safari.
      </p>
    );
  }
  return null;
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
  const textOnly = useParticipantStore((s) => s.textOnly);
  const micOn = wantAudio && !!audio;
  const cameraOn = !!video && wantVideo;
  return (
    <li className="tile tile--self" data-testid="tile-self">
      {cameraOn ? <VideoView track={video} mirrored className="tile__video" /> : <Avatar name={name} />}
      {!cameraOn ? <span className="tile__corner">{textOnly ? 'You’re taking part by text' : 'Your camera is off'}</span> : null}
      <TileLabel name={`${name || 'You'} (you)`} micOn={micOn} />
    </li>
  );
}

function RemoteTile({ peer, media }: { peer: Peer; media: RemoteMedia | undefined }) {
  const service = useService();
  const video = media?.video && !media.video.paused ? media.video.track : null;
  const micOn = !!media?.audio && !media.audio.paused;
  return (
    <li className="tile" data-testid={`tile-${peer.participantId}`}>
      {video ? <VideoView track={video} className="tile__video" onView={service.viewVideo} /> : <Avatar name={peer.displayName} />}
      {peer.textOnly ? <span className="tile__corner">Taking part by text</span> : null}
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

interface CallControlsProps {
  chatToggle: React.RefObject<HTMLButtonElement | null>;
  groupChatToggle: React.RefObject<HTMLButtonElement | null>;
}

function CallControls({ chatToggle, groupChatToggle }: CallControlsProps) {
  const service = useService();
  const screen = useParticipantStore((s) => s.screen);
  const wantAudio = useParticipantStore((s) => s.wantAudio);
  const wantVideo = useParticipantStore((s) => s.wantVideo);
  const forced = useParticipantStore((s) => s.moderation.mutedByFacilitator);
  const mediaBusy = useParticipantStore((s) => s.mediaBusy);
  const chatOpen = useParticipantStore((s) => s.moderation.chatOpen);
  const unread = useParticipantStore((s) => s.moderation.unread);
  const groupChatOpen = useParticipantStore((s) => s.groupChat.open);
  const groupUnread = useParticipantStore((s) => s.groupChat.unread);
  const textOnly = useParticipantStore((s) => s.textOnly);
  const busy = useParticipantStore((s) => s.busy);
  const joining = screen === 'joining';

  const micLabel = forced.audio
    ? 'Microphone muted by your therapist'
    : wantAudio
      ? 'Mute your microphone'
      : 'Unmute your microphone';
  // Each name starts with the button's visible words, so speech control finds it by what it shows.
  const cameraLabel = forced.video ? 'Camera off, turned off by your therapist' : wantVideo ? 'Stop camera' : 'Start camera';
  // As with the camera's, each name holds the button's visible words in the order they are
  // read (its text, then the unread count's badge, drawn on the icon): speech control users
  // say what they see.
  const chatLabel = unread > 0 ? `Message, ${countShown(unread)} unread from your therapist` : 'Message your therapist privately';
  const groupChatLabel = `Group chat${groupUnread > 0 ? `, ${countShown(groupUnread)} unread` : ''}`;

  return (
    <div className="controls" role="toolbar" aria-label="Call controls">
      {textOnly ? null : <>
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
      </>}
      <PanelToggle
        toggle={groupChatToggle}
        open={groupChatOpen}
        label={groupChatLabel}
        text="Group chat"
        icon={<GroupChatIcon />}
        unread={groupUnread}
        testId="group-chat"
        onToggle={() => (groupChatOpen ? service.closeGroupChat() : service.openGroupChat())}
      />
      <PanelToggle
        toggle={chatToggle}
        open={chatOpen}
        label={chatLabel}
        text="Message"
        icon={<MessageIcon />}
        unread={unread}
        testId="chat"
        onToggle={() => (chatOpen ? service.closeChat() : service.openChat())}
      />
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

/** An unread count as its badge shows it. */
function countShown(n: number): string {
  return n > 9 ? '9+' : String(n);
}

interface PanelToggleProps {
  toggle: React.RefObject<HTMLButtonElement | null>;
  open: boolean;
  label: string;
  text: string;
  icon: React.ReactNode;
  unread: number;
  /** `<testId>-toggle` on the button, `<testId>-unread` on its count. */
  testId: string;
  onToggle: () => void;
}

/** Opens or closes a conversation beside the call, with what came while it was closed counted. */
function PanelToggle({ toggle, open, label, text, icon, unread, testId, onToggle }: PanelToggleProps) {
  return (
    <button
      ref={toggle}
      type="button"
      className={open ? 'control control--active' : 'control'}
      aria-label={label}
      aria-expanded={open}
      onClick={onToggle}
      data-testid={`${testId}-toggle`}
    >
      <span>{text}</span>{' '}
      <span className="control__icon">
        {icon}
        {unread > 0 ? (
          <span className="control__badge" aria-hidden="true" data-testid={`${testId}-unread`}>
            {countShown(unread)}
          </span>
        ) : null}
      </span>
    </button>
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
