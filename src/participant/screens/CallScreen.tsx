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
import { BackgroundChoice, BackgroundFailure } from '../components/BackgroundChoice';
import { roleLabel } from '../notices';
import { useWords } from '../i18n';
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
  const t = useWords();
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
            {title || t.call.defaultTitle}
          </h1>
          <p className="call__meta">
            {screen === 'joining' ? t.call.connecting : t.call.peopleHere(count)}
          </p>
          {audioOnly && screen === 'call' ? (
            <p className="call__pill" data-testid="audio-only">
              <CameraOffIcon /> {t.call.audioOnly}
            </p>
          ) : null}
          {textOnly ? (
            <p className="call__pill" data-testid="text-only">
              <KeyboardIcon /> {t.call.takingPartByText}
            </p>
          ) : null}
          <EncryptionPill />
          <ConnectionPill />
          {locked ? (
            <p className="call__pill call__pill--quiet" title={t.call.lockedDetail} data-testid="locked-indicator">
              <LockIcon /> {t.call.locked}
              <span className="visually-hidden">: {t.call.lockedDetail}</span>
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
        <BackgroundFailure />

        <ul className={`grid grid--${Math.min(count, 9)}`} aria-label={t.call.people}>
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
  const othersInClear = useParticipantStore((s) => s.encryption.othersInClear);
  const t = useWords();
  // Someone is in the clear (the facilitator's console's sealed word): said, never hidden.
  if ((status === 'on' && othersInClear) || status === 'clearAudio') {
    return (
      <p className="call__pill call__pill--weak" data-testid="encryption" data-state="partial" data-epoch={epoch ?? undefined} title={t.call.partlyEncryptedDetail}>
        <ShieldIcon /> {t.call.partlyEncrypted}
        <span className="visually-hidden">: {t.call.partlyEncryptedDetail}</span>
      </p>
    );
  }
  if (status === 'on') {
    return (
      <p className="call__pill" data-testid="encryption" data-state="on" data-epoch={epoch ?? undefined} title={t.call.encryptedDetail}>
        <ShieldIcon /> {t.call.encrypted}
        <span className="visually-hidden">: {t.call.encryptedDetail}</span>
      </p>
    );
  }
  if (status === 'waiting' || status === 'needsCode') {
    return (
      <p className="call__pill call__pill--quiet" data-testid="encryption" data-state={status}>
        <ShieldIcon /> {t.call.settingUpEncryption}
      </p>
    );
  }
  return null;
}

/** The camera, or the group's video, held back on a link that cannot carry it (issue 22), said plainly. */
function VideoHeldBackNotice() {
  const held = useParticipantStore((s) => s.videoHeldBack);
  const incomingHeld = useParticipantStore((s) => s.incomingVideoHeld);
  const t = useWords();
  if (!held && !incomingHeld) return null;
  return (
    <>
      {held ? (
        <p className="call__notice" data-testid="video-held-back">
          {t.media.videoHeldBack}
        </p>
      ) : null}
      {incomingHeld ? (
        <p className="call__notice" data-testid="incoming-video-held">
          {t.media.incomingVideoHeld}
        </p>
      ) : null}
    </>
  );
}

/** How good the person's own connection is (issue 22), once measured; their therapist sees it too. */
function ConnectionPill() {
  const quality = useParticipantStore((s) => s.connectionQuality);
  const t = useWords();
  if (!quality) return null;
  const words = t.call.connection[quality];
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

/** The safety code to read with the therapist, or why the call stays closed to this browser. */
function EncryptionNotice() {
  const { status, code } = useParticipantStore((s) => s.encryption);
  const service = useService();
  const t = useWords();
  if (status === 'needsCode') {
    return (
      <div className="call__notice call__notice--code" role="region" aria-label={t.call.safetyCode} data-testid="safety-code">
        <p>
          {t.call.safetyCodeBefore} <strong className="safety-code">{code}</strong>
          {t.call.safetyCodeAfter}
        </p>
        <button type="button" className="button" onClick={() => void service.confirmSafetyCode()}>
          {t.call.safetyCodeMatches}
        </button>
      </div>
    );
  }
  if (status === 'refused') {
    return (
      <p className="call__notice" role="alert" data-testid="encryption-refused">
        {t.call.encryptionRefused}
      </p>
    );
  }
  if (status === 'clearAudio') {
    return (
      <p className="call__notice" role="status" data-testid="encryption-clear-self">
        {t.call.clearAudioSelf}
      </p>
    );
  }
  if (status === 'unsupported') {
    return (
      <p className="call__notice" role="alert" data-testid="encryption-unsupported">
        {t.call.encryptionUnsupported}
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
  const t = useWords();
  const micOn = wantAudio && !!audio;
  const cameraOn = !!video && wantVideo;
  return (
    <li className="tile tile--self" data-testid="tile-self">
      {cameraOn ? <VideoView track={video} mirrored className="tile__video" /> : <Avatar name={name} />}
      {!cameraOn ? <span className="tile__corner">{textOnly ? t.call.selfByText : t.call.cameraOff}</span> : null}
      <TileLabel name={t.call.selfName(name || t.call.you)} micOn={micOn} />
    </li>
  );
}

function RemoteTile({ peer, media }: { peer: Peer; media: RemoteMedia | undefined }) {
  const service = useService();
  const video = media?.video && !media.video.paused ? media.video.track : null;
  const micOn = !!media?.audio && !media.audio.paused;
  const t = useWords();
  return (
    <li className="tile" data-testid={`tile-${peer.participantId}`}>
      {video ? <VideoView track={video} className="tile__video" onView={service.viewVideo} /> : <Avatar name={peer.displayName} />}
      {peer.textOnly ? <span className="tile__corner">{t.call.takingPartByText}</span> : null}
      <TileLabel name={peer.displayName} role={roleLabel(peer.role, t)} micOn={micOn} />
    </li>
  );
}

function TileLabel({ name, role, micOn }: { name: string; role?: string | null; micOn: boolean }) {
  const t = useWords();
  return (
    <div className="tile__label">
      <span className={micOn ? 'tile__mic' : 'tile__mic tile__mic--off'}>
        {micOn ? <MicIcon /> : <MicOffIcon />}
        <span className="visually-hidden">{micOn ? t.call.micOn : t.call.micOff}</span>
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
  const t = useWords();
  const joining = screen === 'joining';

  const micLabel = forced.audio
    ? t.call.micMutedByTherapist
    : wantAudio
      ? t.call.muteMic
      : t.call.unmuteMic;
  // Each name starts with the button's visible words, so speech control finds it by what it shows.
  const cameraLabel = forced.video ? t.call.cameraOffByTherapist : wantVideo ? t.call.stopCamera : t.call.startCamera;
  // As with the camera's, each name holds the button's visible words in the order they are
  // read (its text, then the unread count's badge, drawn on the icon): speech control users
  // say what they see.
  const chatLabel = unread > 0 ? t.call.messageUnread(countShown(unread)) : t.call.messagePrivately;
  const groupChatLabel = groupUnread > 0 ? t.call.groupChatUnread(countShown(groupUnread)) : t.call.groupChat;

  return (
    <div className="controls" role="toolbar" aria-label={t.call.controls}>
      {textOnly ? null : <>
      <MediaControl
        on={wantAudio}
        locked={forced.audio}
        busy={mediaBusy.audio || joining}
        label={micLabel}
        text={forced.audio ? t.call.muted : wantAudio ? t.call.mute : t.call.unmute}
        onIcon={<MicIcon />}
        offIcon={<MicOffIcon />}
        onClick={() => void service.setWant('audio', !wantAudio)}
      />
      <MediaControl
        on={wantVideo}
        locked={forced.video}
        busy={mediaBusy.video || joining}
        label={cameraLabel}
        text={forced.video ? t.call.cameraOffShort : wantVideo ? t.call.stopCamera : t.call.startCamera}
        onIcon={<CameraIcon />}
        offIcon={<CameraOffIcon />}
        onClick={() => void service.setWant('video', !wantVideo)}
      />
      <BackgroundChoice compact />
      </>}
      <PanelToggle
        toggle={groupChatToggle}
        open={groupChatOpen}
        label={groupChatLabel}
        text={t.call.groupChat}
        icon={<GroupChatIcon />}
        unread={groupUnread}
        testId="group-chat"
        onToggle={() => (groupChatOpen ? service.closeGroupChat() : service.openGroupChat())}
      />
      <PanelToggle
        toggle={chatToggle}
        open={chatOpen}
        label={chatLabel}
        text={t.call.message}
        icon={<MessageIcon />}
        unread={unread}
        testId="chat"
        onToggle={() => (chatOpen ? service.closeChat() : service.openChat())}
      />
      <button
        type="button"
        className="control control--leave"
        aria-label={t.call.leaveSession}
        onClick={() => void service.leave()}
        disabled={busy}
      >
        <LeaveIcon />
        <span>{t.call.leave}</span>
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
