/**
 * Handlers for every method after hello, one per name, typed by the protocol's request and
 * result maps. Authorization by role and state (`isAllowed`) has already run; handlers add
 * the per-object checks (a transport, producer or consumer must be the caller's own; a
 * moderation target must be a client of this session in a fitting state). What moderation
 * must leave on record is written here; the Room keeps only live state.
 */
import {
  LANGUAGES,
  ProtocolError,
  type MethodName,
  type ParsedRequestData,
  type ResultTypes,
} from '../../shared/protocol.js';
import type { Peer } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { agreementIn } from '../sessions/agreement.js';
import type { Repositories } from '../store/store.js';
import type { SignalingContext } from './context.js';

export interface MethodContext {
  ctx: SignalingContext;
  peer: Peer;
  room: Room;
  /** Ends the caller's connection after its response has gone out. */
  closeAfterResponse(code: number, reason: string): void;
  /** Runs `work` once the response has gone out (for what must follow it on the wire). */
  afterResponse(work: () => Promise<void>): void;
}

type PeerMethod = Exclude<MethodName, 'hello' | 'readRecap'>;

type Handler<M extends PeerMethod> = (
  mc: MethodContext,
  data: ParsedRequestData<M>,
) => ResultTypes[M] | Promise<ResultTypes[M]>;

const ok = {} as Record<string, never>;

/** The clinician account behind a facilitator peer, for the records. */
function clinicianOf(peer: Peer): string {
  if (peer.clinicianId === undefined) throw new ProtocolError('FORBIDDEN', 'for clinicians only', { reason: 'clinicians-only' });
  return peer.clinicianId;
}

/**
 * Puts a clinician's act in the session on the audit log, after it succeeded: who (account
 * id), on whom (participantId, never a name), and a short detail (a kind, a method, a count).
 */
async function audit(
  { ctx, peer, room }: MethodContext,
  event: string,
  subjectId: string | null,
  detail?: string,
  into: Repositories = ctx.store,
): Promise<void> {
  await into.audit.record({ at: new Date(), event, actorId: clinicianOf(peer), subjectId, sessionId: room.id, detail: detail ?? null, deviceId: peer.deviceId });
}

/**
 * Revokes the invitation and records the removal, then (if the client is connected) sends
 * `removed` and closes its socket. A client who has dropped can be removed too: the revoked
 * invitation keeps them out. The record comes first, so a failed write removes nobody.
 */
async function removeClient(mc: MethodContext, participantId: string, reason: string): Promise<void> {
  const { ctx, peer, room } = mc;
  // Before anything is written: the record must not say a removal happened that was refused.
  room.assertModerator(peer);
  const invitation = await ctx.store.invitations.byParticipantId(room.id, participantId);
  if (!invitation) throw new ProtocolError('NOT_FOUND', 'no such participant', { reason: 'participant-not-found' });
  room.assertModerator(peer);
  // The removal, the revoked link and the audit entry together, or none of them.
  const recorded = await ctx.store.atomically(async (tx) => {
    const done = await tx.moderation.recordRemoval({
      sessionId: room.id,
      participantId,
      removedBy: clinicianOf(peer),
      reason,
      removedAt: new Date().toISOString(),
    });
    if (done) await audit(mc, 'client.removed', participantId, undefined, tx);
    return done;
  });
  if (!recorded) throw new ProtocolError('CONFLICT', 'that participant has already been removed', { reason: 'participant-already-removed' });
  const target = room.connectedClient(participantId);
  if (target) room.remove(peer, target);
  else room.forgetReconnecting(participantId);
}

export const methodHandlers: { [M in PeerMethod]: Handler<M> } = {
  async checkIn({ ctx, peer, room, afterResponse }, data) {
    // The version quoted must be the current one of the language quoted (none: English).
    const agreement = agreementIn(ctx.agreements, data.agreementLanguage);
    if (data.agreementVersion !== agreement.version) {
      const otherLanguage = LANGUAGES.some((l) => l !== agreement.language && ctx.agreements[l].version === data.agreementVersion);
      throw new ProtocolError(
        'CONFLICT',
        otherLanguage
          ? `that agreement version is not the ${agreement.language} text's; please read the agreement again`
          : 'the agreement has changed; please read it again',
      );
    }
    room.checkIn(peer, data);
    afterResponse(() => room.readmitIfReturning(peer));
    // Only codecs: lets the page prepare its media engine while it waits.
    return room.checkInAnswer();
  },

  leave({ peer, closeAfterResponse }) {
    peer.departure = { kind: 'leave', byId: null };
    closeAfterResponse(1000, 'left');
    return ok;
  },

  // Each act goes on the audit log after its checks and before it happens (the room calls
  // back): an act that cannot be recorded (a full disk) does not happen.
  async admit(mc, { participantId, groupKey }) {
    await mc.room.admit(mc.peer, participantId, (id) => audit(mc, 'client.admitted', id), groupKey);
    return ok;
  },

  async admitAll(mc, { groupKeys }) {
    const { ctx, peer, room } = mc;
    const admitted = (ids: string[]) =>
      ctx.store.audit
        .recordAll(ids.map((id) => ({ at: new Date(), event: 'client.admitted', actorId: clinicianOf(peer), subjectId: id, sessionId: room.id, detail: 'admit-all' })))
        .then(() => undefined);
    return { participantIds: await room.admitAll(peer, admitted, groupKeys) };
  },

  async deny(mc, { participantId }) {
    await mc.room.deny(mc.peer, participantId, (id) => audit(mc, 'client.denied', id));
    return ok;
  },

  createTransport: ({ peer, room }, { direction }) => room.createTransport(peer, direction),

  async connectTransport({ peer }, { transportId, dtlsParameters }) {
    await peer.media.connectTransport(transportId, dtlsParameters);
    return ok;
  },

  async restartIce({ peer }, { transportId }) {
    return { iceParameters: await peer.media.restartIce(transportId) };
  },

  closeTransport({ peer, room }, { transportId }) {
    room.closeTransport(peer, transportId);
    return ok;
  },

  produce: ({ peer, room }, data) => room.produce(peer, data),

  consume: ({ peer, room }, data) => room.consume(peer, data),

  async resumeConsumer({ peer, room }, { consumerId }) {
    await room.resumeConsumer(peer, consumerId);
    return ok;
  },

  async requestKeyFrame({ peer, room }, { consumerId }) {
    await room.requestKeyFrame(peer, consumerId);
    return ok;
  },

  async setConsumerView({ peer, room }, { consumerId, visible, height }) {
    await room.setConsumerView(peer, consumerId, visible, height);
    return ok;
  },

  async setProducerPaused({ peer, room }, { producerId, paused }) {
    await room.setProducerPaused(peer, producerId, paused);
    return ok;
  },

  message({ peer, room }, { to, ...body }) {
    room.relay.message(peer, to, body);
    return ok;
  },

  reportConnection({ peer, room }, { quality }) {
    room.reportConnection(peer, quality);
    return ok;
  },

  groupMessage({ peer, room }, { sealed }) {
    room.groupChat.post(peer, sealed);
    return ok;
  },

  async setGroupChat(mc, { enabled }) {
    const { ctx, peer, room } = mc;
    // On record with its audit entry, before it takes effect: a restart must not turn it back on.
    await room.groupChat.setEnabled(peer, enabled, () =>
      ctx.store.atomically(async (tx) => {
        await audit(mc, enabled ? 'group_chat.enabled' : 'group_chat.disabled', null, undefined, tx);
        await tx.moderation.setGroupChatOff(room.id, enabled ? null : { by: clinicianOf(peer), at: new Date() });
      }),
    );
    return ok;
  },

  async clearGroupChat(mc) {
    await mc.room.groupChat.clear(mc.peer, () => audit(mc, 'group_chat.cleared', null));
    return ok;
  },

  publishKey({ peer, room }, key) {
    room.relay.publishKey(peer, key);
    return ok;
  },

  memberKeys({ room }) {
    return { keys: room.relay.memberKeys() };
  },

  sendGroupKey({ peer, room }, { to, ...key }) {
    room.relay.sendGroupKey(peer, to, key);
    return ok;
  },

  async allowClearAudio(mc, { participantId, allowed }) {
    await mc.room.allowClearAudio(mc.peer, participantId, allowed, (id) => audit(mc, allowed ? 'client.clear_audio_allowed' : 'client.clear_audio_ended', id));
    return ok;
  },

  async verify(mc, { participantId, method }) {
    const { ctx, peer, room } = mc;
    const verifiedBy = clinicianOf(peer);
    room.verifiable(peer, participantId);
    // On record first (with its audit entry, in one transaction): a failed write verifies nobody.
    await ctx.store.atomically(async (tx) => {
      await tx.moderation.recordVerification({
        sessionId: room.id,
        participantId,
        method,
        verifiedBy,
        verifiedAt: new Date().toISOString(),
      });
      await audit(mc, 'client.verified', participantId, method, tx);
    });
    room.verifiable(peer, participantId);
    room.verify(peer, participantId, method);
    return ok;
  },

  async mute(mc, { participantId, kind }) {
    await mc.room.mute(mc.peer, participantId, kind, (id) => audit(mc, 'client.muted', id, kind));
    return ok;
  },

  async muteAll(mc, { kind }) {
    return { participantIds: await mc.room.muteAll(mc.peer, kind, (ids) => audit(mc, 'clients.muted', null, `${kind} ${ids.length}`)) };
  },

  async allowUnmute(mc, { participantId, kind }) {
    await mc.room.allowUnmute(mc.peer, participantId, kind, (id) => audit(mc, 'client.unmute_allowed', id, kind));
    return ok;
  },

  async remove(mc, { participantId, reason }) {
    await removeClient(mc, participantId, reason);
    return ok;
  },

  async returnToWaiting(mc, { participantId }) {
    await mc.room.returnToWaiting(mc.peer, participantId, (id) => audit(mc, 'client.returned_to_waiting', id));
    return ok;
  },

  async lock(mc, { locked }) {
    const { ctx, peer, room } = mc;
    // On record with its audit entry, before it takes effect: a restart must not unlock the room.
    await mc.room.setLocked(peer, locked, () =>
      ctx.store.atomically(async (tx) => {
        await audit(mc, locked ? 'room.locked' : 'room.unlocked', null, undefined, tx);
        await tx.moderation.setRoomLock(room.id, locked ? { by: clinicianOf(peer), at: new Date() } : null);
      }),
    );
    return ok;
  },

  async end(mc) {
    const { ctx, peer, room, closeAfterResponse } = mc;
    room.assertModerator(peer);
    // The record first: once it says ended, no hello gets in, whatever happens next.
    await ctx.store.atomically(async (tx) => {
      await tx.sessions.end(room.id, new Date());
      await audit(mc, 'session.ended', room.id, undefined, tx);
    });
    room.end(peer);
    closeAfterResponse(1000, 'session ended');
    return ok;
  },

  async crisisInfo(mc, { participantId }) {
    const { ctx, peer, room } = mc;
    room.crisisInfo(peer, participantId);
    // Every look is on record (who, whom, when), before it is shown; what it said never is.
    await ctx.store.atomically(async (tx) => {
      await tx.moderation.recordCrisisInfoView({
        sessionId: room.id,
        participantId,
        viewedBy: clinicianOf(peer),
        viewedAt: new Date().toISOString(),
      });
      await audit(mc, 'crisis_info.viewed', participantId, undefined, tx);
    });
    return room.crisisInfo(peer, participantId);
  },
};

export function runMethod<M extends PeerMethod>(
  method: M,
  mc: MethodContext,
  data: ParsedRequestData<M>,
): ResultTypes[M] | Promise<ResultTypes[M]> {
  const handler = methodHandlers[method] as Handler<M>;
  return handler(mc, data);
}
