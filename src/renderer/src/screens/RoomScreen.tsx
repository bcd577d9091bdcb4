import { useMemo } from 'react';
import type { Participant } from '../../../shared/protocol';
import { AudioSink, VideoTile } from '../components/VideoTile';
import { WaitingRoom } from '../components/WaitingRoom';
import { closeSession, setMuted } from '../services/room';
import { useConsole } from '../store';
import type { RemoteTrack } from '../store/mediaSlice';

const roleLabel: Record<Participant['role'], string> = {
  client: 'Client',
  facilitator: 'Facilitator',
  observer: 'Observer',
};

export function RoomScreen() {
  const status = useConsole((s) => s.roomStatus);
  const session = useConsole((s) => s.session);
  const myRole = useConsole((s) => s.myRole);
  const myId = useConsole((s) => s.myParticipantId);
  const participants = useConsole((s) => s.participants);
  const producers = useConsole((s) => s.producers);
  const remoteTracks = useConsole((s) => s.remoteTracks);
  const localStream = useConsole((s) => s.localStream);
  const localMuted = useConsole((s) => s.localMuted);
  const mediaError = useConsole((s) => s.mediaError);

  const others = Object.values(participants).filter((p) => p.participantId !== myId);
  const streams = useMemo(() => streamsByParticipant(Object.values(remoteTracks)), [remoteTracks]);
  const audioTracks = Object.values(remoteTracks).filter((t) => t.kind === 'audio');
  const pausedVideo = (participantId: string) =>
    Object.values(producers).some((p) => p.participantId === participantId && p.kind === 'video' && p.paused);
  const pausedAudio = (participantId: string) =>
    Object.values(producers).some((p) => p.participantId === participantId && p.kind === 'audio' && p.paused);

  if (status === 'connecting' || !session) {
    return <p className="muted" aria-live="polite">Opening the session…</p>;
  }
  return (
    <div className="room">
      <div className="room-main">
        <div className="section-head">
          <div>
            <h1>{session.title}</h1>
            <p className="muted">
              {others.length === 0 ? 'Nobody else has joined yet.' : `${others.length + 1} in the group`}
              {myRole === 'observer' && ' · You are observing'}
            </p>
          </div>
          <div className="controls" role="toolbar" aria-label="Your microphone and camera">
            {myRole === 'facilitator' && (
              <>
                <button
                  type="button"
                  className="button quiet"
                  aria-pressed={localMuted.audio}
                  onClick={() => void setMuted('audio', !localMuted.audio)}
                >
                  {localMuted.audio ? 'Unmute' : 'Mute'}
                </button>
                <button
                  type="button"
                  className="button quiet"
                  aria-pressed={localMuted.video}
                  onClick={() => void setMuted('video', !localMuted.video)}
                >
                  {localMuted.video ? 'Start video' : 'Stop video'}
                </button>
              </>
            )}
            <button type="button" className="button danger" onClick={() => void closeSession()}>
              Leave session
            </button>
          </div>
        </div>
        {mediaError && (
          <p className="banner warn" role="status">
            {mediaError}
          </p>
        )}
        <div className="grid" data-count={others.length + 1}>
          <VideoTile
            testId="tile-self"
            name="You"
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
              cameraOff={pausedVideo(p.participantId)}
              micOff={pausedAudio(p.participantId)}
            />
          ))}
        </div>
        {audioTracks.map((t) => (
          <AudioSink key={t.producerId} track={t.track} />
        ))}
      </div>
      <aside className="room-side">
        <WaitingRoom canModerate={myRole === 'facilitator'} />
        <section className="panel" aria-labelledby="present-title">
          <h2 id="present-title">
            In the group <span className="count">{others.length + 1}</span>
          </h2>
          <ul className="people">
            {Object.values(participants).map((p) => (
              <li key={p.participantId} className="person">
                <div className="person-main">
                  <span className="person-name">
                    {p.participantId === myId ? `${p.displayName} (you)` : p.displayName}
                  </span>
                  <span className="muted small">
                    {roleLabel[p.role]}
                    {p.participantRef && ` · ${p.participantRef}`}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      </aside>
    </div>
  );
}

/** Video tracks grouped into one stream per person, for their tile. */
function streamsByParticipant(tracks: RemoteTrack[]): Map<string, MediaStream> {
  const map = new Map<string, MediaStream>();
  for (const t of tracks) {
    if (t.kind !== 'video') continue;
    map.set(t.participantId, new MediaStream([t.track]));
  }
  return map;
}
