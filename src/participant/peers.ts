/**
 * The group as the participant page shows it: who else is in the call (`peers`) and the
 * tracks of theirs it receives (`remote`, the tiles). Changes to those two parts of the store,
 * and what is announced about them, belong here; who is let in and when is group.ts's.
 */
import type { MediaKind, Participant } from '../shared/protocol';
import { announce, pageState, setPageState, type Peer, type RemoteMedia } from './store';

export function toPeer(p: Participant): Peer {
  return { participantId: p.participantId, displayName: p.displayName, role: p.role, ...(p.textOnly ? { textOnly: true } : {}) };
}

export function addPeer(p: Participant): void {
  if (p.participantId === pageState().participantId) return;
  setPageState((s) => ({ peers: { ...s.peers, [p.participantId]: toPeer(p) } }));
  if (pageState().screen === 'call') announce(`${p.displayName} joined.`);
}

export function removePeer(participantId: string): void {
  const name = pageState().peers[participantId]?.displayName;
  setPageState((s) => {
    const peers = { ...s.peers };
    const remote = { ...s.remote };
    delete peers[participantId];
    delete remote[participantId];
    return { peers, remote };
  });
  if (name && pageState().screen === 'call') announce(`${name} left.`);
}

export function addRemoteTrack(participantId: string, producerId: string, kind: MediaKind, track: MediaStreamTrack): void {
  const patch: RemoteMedia = { [kind]: { producerId, track, paused: false } };
  setPageState((s) => ({ remote: { ...s.remote, [participantId]: { ...s.remote[participantId], ...patch } } }));
}

export function dropRemoteTrack(participantId: string, producerId: string): void {
  setPageState((s) => {
    const media = s.remote[participantId];
    if (!media) return {};
    const next = { ...media };
    if (next.audio?.producerId === producerId) delete next.audio;
    if (next.video?.producerId === producerId) delete next.video;
    return { remote: { ...s.remote, [participantId]: next } };
  });
}

export function setRemotePaused(producerId: string, paused: boolean): void {
  setPageState((s) => {
    for (const [id, media] of Object.entries(s.remote)) {
      for (const kind of ['audio', 'video'] as const) {
        const slot = media[kind];
        if (slot?.producerId === producerId) {
          return { remote: { ...s.remote, [id]: { ...media, [kind]: { ...slot, paused } } } };
        }
      }
    }
    return {};
  });
}
