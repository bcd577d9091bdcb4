import { useEffect, useMemo, useState } from 'react';
import { EndSessionDialog } from '../components/ModerationDialogs';
import { GroupChatPanel } from '../components/GroupChatPanel';
import { MessagesPanel } from '../components/MessagesPanel';
import { ParticipantList, roleLabel } from '../components/ParticipantList';
import { AudioSink, VideoTile } from '../components/VideoTile';
import { WaitingRoom } from '../components/WaitingRoom';
import { closeSession, muteAll, setBlur, setMuted, toggleLock, viewVideo } from '../services/room';
import { useConsole } from '../store';
import type { RemoteTrack } from '../store/mediaSlice';
import { t as words } from '../i18n';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
const MOD = isMac ? '⌘' : 'Ctrl';

/** Ctrl/⌘+Shift+M mutes every client; Ctrl/⌘+Shift+L locks or unlocks the room. */
function useModerationShortcuts(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.shiftKey && (isMac ? e.metaKey : e.ctrlKey))) return;
      const key = e.key.toLowerCase();
      if (key === 'm') void muteAll('audio');
      else if (key === 'l') void toggleLock();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

export function RoomScreen() {
  const status = useConsole((s) => s.roomStatus);
  const session = useConsole((s) => s.session);
  const myRole = useConsole((s) => s.myRole);
  const myId = useConsole((s) => s.myParticipantId);
  const locked = useConsole((s) => s.locked);
  const participants = useConsole((s) => s.participants);
  const producers = useConsole((s) => s.producers);
  const remoteTracks = useConsole((s) => s.remoteTracks);
  const localStream = useConsole((s) => s.localStream);
  const localBlur = useConsole((s) => s.localBlur);
  const localMuted = useConsole((s) => s.localMuted);
  const mediaError = useConsole((s) => s.mediaError);
  const notice = useConsole((s) => s.notice);
  const keyed = useConsole((s) => s.encryption.keyed);
  const epoch = useConsole((s) => s.encryption.epoch);
  const inClear = useConsole((s) => s.encryption.clearAudio);
  const setNotice = useConsole((s) => s.setNotice);
  const openGroupChat = useConsole((s) => s.openGroupChat);
  const textOnlyHere = useConsole((s) => Object.values(s.participants).some((p) => p.textOnly === true));
  const [confirmEnd, setConfirmEnd] = useState(false);
  const isFacilitator = myRole === 'facilitator';
  useModerationShortcuts(isFacilitator);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice, setNotice]);

  // Someone taking part by text: their words are in the group chat, so it opens.
  useEffect(() => {
    if (textOnlyHere) openGroupChat(true);
  }, [textOnlyHere, openGroupChat]);

  const others = Object.values(participants).filter((p) => p.participantId !== myId);
  const streams = useMemo(() => streamsByParticipant(Object.values(remoteTracks)), [remoteTracks]);
  const audioTracks = Object.values(remoteTracks).filter((t) => t.kind === 'audio');
  const paused = (participantId: string, kind: 'audio' | 'video') =>
    !Object.values(producers).some((p) => p.participantId === participantId && p.kind === kind && !p.paused);

  if (status === 'connecting' || !session) {
    return <p className="muted" aria-live="polite">{words.roomScreen.opening}</p>;
  }
  return (
    <div className="room">
      <div className="room-main">
        <div className="section-head">
          <div>
            <h1>{session.title}</h1>
            <p className="muted">
              {others.length === 0 ? words.roomScreen.alone : words.roomScreen.inGroup(others.length + 1)}
              {myRole === 'observer' && words.roomScreen.observing}
            </p>
          </div>
          {keyed && inClear.length > 0 ? (
            // Someone takes part by audio in the clear (the holder's sealed word): said, with who.
            <div className="e2ee-state partial" data-testid="e2ee-state" data-state="partial" data-epoch={epoch ?? undefined}>
              {words.roomScreen.partlyEncrypted}
              <span className="small">
                {' · '}
                {words.roomScreen.partlyEncryptedTitle(inClear.map((id) => participants[id]?.displayName ?? id).join(', '))}
              </span>
            </div>
          ) : (
            <div className={`e2ee-state ${keyed ? 'on' : 'pending'}`} data-testid="e2ee-state" data-epoch={epoch ?? undefined} title={keyed ? words.roomScreen.sealedTitle : undefined}>
              {keyed ? words.roomScreen.encrypted : words.roomScreen.settingUp}
            </div>
          )}
          <div
            className={`lock-state ${locked ? 'locked' : 'open'}`}
            data-testid="lock-state"
          >
            <LockIcon locked={locked} /> {locked ? words.roomScreen.locked : words.roomScreen.open}
          </div>
        </div>

        <div className="toolbar" role="toolbar" aria-label={words.roomScreen.controls}>
          {isFacilitator && (
            <>
              <button
                type="button"
                className="button quiet"
                aria-pressed={localMuted.audio}
                onClick={() => void setMuted('audio', !localMuted.audio)}
              >
                {localMuted.audio ? words.roomScreen.unmuteMe : words.roomScreen.muteMe}
              </button>
              <button
                type="button"
                className="button quiet"
                aria-pressed={localMuted.video}
                onClick={() => void setMuted('video', !localMuted.video)}
              >
                {localMuted.video ? words.roomScreen.startVideo : words.roomScreen.stopVideo}
              </button>
              <button
                type="button"
                className="button quiet"
                aria-pressed={localBlur}
                onClick={() => void setBlur(!localBlur)}
                data-testid="blur-toggle"
              >
                {words.roomScreen.blurBackground}
              </button>
              <span className="toolbar-gap" />
              <button
                type="button"
                className="button quiet"
                onClick={() => void muteAll('audio')}
                aria-keyshortcuts={isMac ? 'Meta+Shift+M' : 'Control+Shift+M'}
                title={words.roomScreen.muteAllTitle(`${MOD}+Shift+M`)}
              >
                {words.roomScreen.muteAll}
              </button>
              <button
                type="button"
                className={`button ${locked ? 'locked-toggle' : 'quiet'}`}
                aria-pressed={locked}
                onClick={() => void toggleLock()}
                aria-keyshortcuts={isMac ? 'Meta+Shift+L' : 'Control+Shift+L'}
                title={words.roomScreen.lockTitle(locked, `${MOD}+Shift+L`)}
              >
                {locked ? words.roomScreen.unlockRoom : words.roomScreen.lockRoom}
              </button>
              <button type="button" className="button danger-solid" onClick={() => setConfirmEnd(true)}>
                {words.roomScreen.end}
              </button>
            </>
          )}
          <button type="button" className="button danger" onClick={() => void closeSession()}>
            {words.roomScreen.leave}
          </button>
        </div>

        {status === 'reconnecting' && (
          <p className="banner warn" role="status" data-testid="reconnecting">
            {words.roomScreen.reconnecting}
          </p>
        )}
        {(notice ?? mediaError) && (
          <p className={`banner ${notice?.tone === 'error' || !notice ? 'warn' : 'info'}`} role="status">
            {notice?.text ?? mediaError}
          </p>
        )}
        <div className="grid" data-count={others.length + 1}>
          <VideoTile
            testId="tile-self"
            name={words.room.you}
            detail={myRole ? roleLabel[myRole] : undefined}
            stream={localStream}
            self
            cameraOff={localMuted.video}
            micOff={localMuted.audio}
          />
          {others.map((p) => (
            <VideoTile
              key={p.participantId}
              testId={`tile-${p.participantId}`}
              name={p.displayName}
              detail={p.role === 'client' ? p.participantRef : roleLabel[p.role]}
              stream={streams.get(p.participantId) ?? null}
              cameraOff={paused(p.participantId, 'video')}
              micOff={paused(p.participantId, 'audio')}
              textOnly={p.textOnly === true}
              reconnecting={p.connection === 'reconnecting'}
              onView={viewVideo}
            />
          ))}
        </div>
        {audioTracks.map((t) => (
          <AudioSink key={t.producerId} track={t.track} />
        ))}
      </div>
      <aside className="room-side">
        <WaitingRoom canModerate={isFacilitator} />
        <MessagesPanel />
        <GroupChatPanel canModerate={isFacilitator} />
        <ParticipantList />
      </aside>
      {confirmEnd && <EndSessionDialog onClose={() => setConfirmEnd(false)} />}
    </div>
  );
}

function LockIcon({ locked }: { locked: boolean }) {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
      <path
        d={locked ? 'M5 7V5a3 3 0 0 1 6 0v2' : 'M5 7V5a3 3 0 0 1 5.6-1.5'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}

/**
 * One MediaStream per remote video track, made once. A new one at every change of the
 * remote tracks made every tile's <video> load again (blank until its next decoded frame)
 * whenever anyone's track came or went: after "Admit all", fourteen times in a row.
 */
const streamOfTrack = new WeakMap<MediaStreamTrack, MediaStream>();

/** Video tracks grouped into one stream per person, for their tile. */
function streamsByParticipant(tracks: RemoteTrack[]): Map<string, MediaStream> {
  const map = new Map<string, MediaStream>();
  for (const t of tracks) {
    if (t.kind !== 'video') continue;
    let stream = streamOfTrack.get(t.track);
    if (!stream) streamOfTrack.set(t.track, (stream = new MediaStream([t.track])));
    map.set(t.participantId, stream);
  }
  return map;
}
