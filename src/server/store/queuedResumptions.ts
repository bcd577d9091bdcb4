/**
 * The live rooms' writes to where each client stands (`resumptions`), queued on the rooms'
 * write batcher (writeBatcher.ts) in the order the rooms make them.
 *
 * A client's hello records its place (`connect`) and its check-in, a few milliseconds later,
 * records its name and state (`update`); when a group joins at once both are still waiting
 * for the same batch. An update to a place whose connect has not been written yet goes into
 * that connect instead: the row it writes is the one the two would have left, and a join
 * costs the database one statement, not two. Anything else written about that client in
 * between (a drop, a removal, the session's end) ends the folding, so writes about one
 * client are never reordered.
 */
import type { ResumptionWrites } from '../rooms/roomRecords.js';
import type { StandingSnapshot } from './resumptions.js';
import type { WriteBatcher } from './writeBatcher.js';

export function queuedResumptions(writes: WriteBatcher): ResumptionWrites {
  /**
   * Connects queued and not yet written, by participant: the snapshot they will write. Any
   * other write about the client queued after its connect takes it out (no more folding).
   */
  const unwritten = new Map<string, { sessionId: string; snapshot: StandingSnapshot }>();

  return {
    connect(participantId, sessionId, tokenHash, snapshot, at) {
      const place = { sessionId, snapshot };
      unwritten.set(participantId, place);
      writes.enqueue((records) => {
        if (unwritten.get(participantId) === place) unwritten.delete(participantId);
        return records.resumptions.connect(participantId, sessionId, tokenHash, place.snapshot, at);
      });
    },
    update(participantId, snapshot) {
      const place = unwritten.get(participantId);
      if (place) {
        place.snapshot = snapshot;
        return;
      }
      writes.enqueue((records) => records.resumptions.update(participantId, snapshot));
    },
    dropped(participantId, at, expiresAt) {
      unwritten.delete(participantId);
      writes.enqueue((records) => records.resumptions.dropped(participantId, at, expiresAt));
    },
    remove(participantId) {
      unwritten.delete(participantId);
      writes.enqueue((records) => records.resumptions.remove(participantId));
    },
    removeSession(sessionId) {
      for (const [participantId, place] of unwritten) if (place.sessionId === sessionId) unwritten.delete(participantId);
      writes.enqueue((records) => records.resumptions.removeSession(sessionId));
    },
    touch(sessionId, at) {
      writes.enqueue((records) => records.resumptions.touch(sessionId, at));
    },
  };
}
