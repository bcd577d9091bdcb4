/**
 * The two hellos. A participant proves an invitation (token and passcode); a clinician
 * presents a single-use session ticket (auth/sessionTickets.ts) and names the session.
 * Either way the caller becomes a Peer of the session's Room, and nothing else in signaling
 * is reachable before that.
 */
import {
  LANGUAGES,
  ProtocolError,
  type ClinicianHelloResult,
  type Language,
  type ParticipantHelloResult,
  type ParsedRequestData,
  type ReadRecapResult,
} from '../../shared/protocol.js';
import { isLegacyPasscodeHash } from '../auth/passcodeHash.js';
import { randomToken, tokenDigest } from '../auth/secrets.js';
import type { Reservation } from '../limits/attemptLimiter.js';
import type { HashingSlot } from '../limits/hashingGate.js';
import { createLogger } from '../../common/logger.js';
import { Peer, type PeerChannel } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import { liveRoleFor } from '../sessions/access.js';
import { agreementIn } from '../sessions/agreement.js';
import type { Invitation } from '../store/invitations.js';
import type { RoomOnRecord } from '../store/moderation.js';
import type { SessionRecord } from '../store/sessions.js';
import type { SignalingContext } from './context.js';

const log = createLogger('hello');

/** Unknown invitation and wrong passcode answer alike, so nobody learns which tokens exist. */
const NOT_RECOGNISED = 'the invitation or passcode is not right';

export interface Joined<R> {
  peer: Peer;
  room: Room;
  result: R;
  /** Runs when the socket closes (a clinician's leaves the live registry). */
  onLeave?: () => void;
  /** Runs once the hello's answer has gone out (a resumed client's readmission). */
  afterAnswer?: () => Promise<void>;
  /** A resume: the token it spent and the one it answered with, as digests (unheardResumes.ts). */
  resumedWith?: { spent: string; next: string };
}

/** Unknown, used or expired resume tokens answer alike. */
const NOT_RESUMABLE = 'this connection can no longer be resumed; open your invitation link again';

/** Clients get in from when the waiting room opens until the session has ended. */
function assertJoinable(ctx: SignalingContext, session: SessionRecord): void {
  const state = ctx.lifecycle.stateOf(session);
  if (state === 'ended') throw new ProtocolError('SESSION_ENDED', 'this session has ended', { reason: 'session-ended' });
  if (state === 'scheduled') {
    // The page shows this; the time is ISO 8601 so it can be shown in the client's own zone.
    const opensAt = ctx.lifecycle.waitingRoomOpensAt(session).toISOString();
    throw new ProtocolError('FORBIDDEN', `the waiting room opens at ${opensAt}`, { reason: 'waiting-room-not-open', params: { at: opensAt } });
  }
}

/** A client's peer in its session's room (opened if need be), with the resume token its hello answers with. */
function clientOf(
  ctx: SignalingContext,
  session: SessionRecord,
  onRecord: RoomOnRecord,
  invitation: Invitation,
  channel: PeerChannel,
  resumeToken = randomToken(),
) {
  const room = ctx.rooms.open(session, onRecord);
  const peer = new Peer({
    participantId: invitation.participantId,
    role: 'client',
    channel,
    displayName: '',
    state: 'check-in',
    participantRef: invitation.participantRef,
    verificationHint: invitation.verificationHint,
    standing: room.standingOf(invitation.participantId),
  });
  return { room, peer, resumeToken };
}

/**
 * What every participant hello answers with, whatever the state: the agreement in the
 * client's language (English when it named none), and in every language offered, so the page
 * can switch at check-in.
 */
function helloAnswer(ctx: SignalingContext, session: SessionRecord, peer: Peer, resumeToken: string, language: Language | undefined) {
  const servers = ctx.fleet.urls();
  return {
    participantId: peer.participantId,
    session: { id: session.id, title: session.title },
    agreement: agreementIn(ctx.agreements, language),
    agreements: LANGUAGES.map((l) => ctx.agreements[l]),
    resumeToken,
    ...(servers.length > 1 ? { servers } : {}),
  };
}

const TOO_MANY = 'too many attempts; try again later';

/**
 * Whether `passcode` opens `invitation`, with every limit taken before the check: one check
 * at a time per invitation (a second hello meanwhile is refused, not queued), the
 * invitation's attempt, then the address's attempt. Each is reserved in one step, so hellos
 * on any number of sockets at once cannot pass a check before any of them is counted. A wrong
 * passcode keeps its attempts; the right one gives them back. An unknown invitation is checked
 * against a decoy so both failures cost the same time, and counts against the address alone.
 *
 * The check is a keyed hash (auth/passcodeHash.ts), microseconds of CPU, so a whole group
 * joining at once is answered at once. An invitation issued before keyed hashes still has an
 * scrypt hash: that check waits its turn at the hashing gate (the address's attempt taken only
 * once the turn comes, so a group joining from one place and waiting is not counted as
 * guessing), and the right passcode replaces the hash with the keyed one.
 */
async function passcodeChecks(ctx: SignalingContext, invitation: Invitation | undefined, passcode: string, address: string): Promise<boolean> {
  const release = invitation ? ctx.checkingInvitations.claim(invitation.id) : () => undefined;
  if (!release) {
    log.warn('participant.rate_limited', { scope: 'invitation-busy', invitationId: invitation?.id });
    throw new ProtocolError('RATE_LIMITED', 'another attempt with this invitation is being checked; try again in a moment');
  }
  try {
    const byInvitation = invitation ? await ctx.passcodeAttempts.reserve(invitation.id) : undefined;
    if (invitation && !byInvitation) {
      log.warn('participant.rate_limited', { scope: 'invitation', invitationId: invitation.id });
      throw new ProtocolError('RATE_LIMITED', TOO_MANY);
    }
    // Per address: guessing across many links (or many unknown ones) from one place ends
    // here, whatever the per-invitation and per-socket counts say.
    const reserveAddress = async (): Promise<Reservation> => {
      const byAddress = await ctx.helloAttemptsByAddress.reserve(address);
      if (!byAddress) {
        await byInvitation?.giveBack();
        log.warn('participant.rate_limited', { scope: 'address' });
        throw new ProtocolError('RATE_LIMITED', TOO_MANY);
      }
      return byAddress;
    };
    const stored = invitation?.passcodeHash ?? ctx.store.passcodes.decoy;
    let ok: boolean;
    let byAddress: Reservation;
    if (!isLegacyPasscodeHash(stored)) {
      byAddress = await reserveAddress();
      ok = ctx.store.passcodes.verify(passcode, stored);
    } else {
      let slot: HashingSlot;
      try {
        slot = await ctx.hashing.acquire(address);
      } catch (err) {
        await byInvitation?.giveBack();
        throw err;
      }
      try {
        byAddress = await reserveAddress();
        ok = await slot.verify(passcode, stored);
      } finally {
        slot.release();
      }
      if (ok && invitation && (await ctx.store.invitations.rehashPasscode(invitation.id, stored, ctx.store.passcodes.hash(passcode)))) {
        log.info('invitation.passcode_rehashed', { invitationId: invitation.id });
      }
    }
    if (ok && invitation) {
      await byInvitation?.giveBack();
      await byAddress.giveBack();
    }
    return ok;
  } finally {
    release();
  }
}

/**
 * `isOpen` is asked after every await: a socket that closed meanwhile must not leave a
 * ghost peer behind.
 */
export async function participantHello(
  ctx: SignalingContext,
  data: Extract<ParsedRequestData<'hello'>, { as: 'participant' }>,
  channel: PeerChannel,
  isOpen: () => boolean,
  address: string,
): Promise<Joined<ParticipantHelloResult> | undefined> {
  const invitation = await ctx.store.invitations.byTokenHash(tokenDigest(data.invite));
  if (!isOpen()) return undefined;
  if (!(await passcodeChecks(ctx, invitation, data.passcode, address)) || !invitation) {
    log.info('participant.rejected', invitation ? { invitationId: invitation.id } : {});
    throw new ProtocolError('UNAUTHENTICATED', NOT_RECOGNISED);
  }
  if (!isOpen()) return undefined;
  if (invitation.revokedAt !== null) throw new ProtocolError('REMOVED', 'this invitation has been withdrawn');
  if (invitation.expiredAt !== null) throw new ProtocolError('SESSION_ENDED', 'this session has ended', { reason: 'session-ended' });
  const session = await ctx.store.sessions.byId(invitation.sessionId);
  if (!session) throw new ProtocolError('UNAUTHENTICATED', NOT_RECOGNISED);
  assertJoinable(ctx, session);
  const onRecord = await ctx.rooms.onRecord(session.id);
  if (!isOpen()) return undefined;

  // From here to the peer's place in the room nothing waits, so two hellos with one
  // invitation cannot both pass the check below.
  // Checked before opening the room, so a refused hello never leaves an empty room behind.
  const live = ctx.rooms.get(session.id);
  if (live?.hasPeer(invitation.participantId)) {
    throw new ProtocolError('CONFLICT', 'this invitation is already connected elsewhere');
  }
  // A lock keeps out newcomers, not someone the facilitator admitted whose connection dropped;
  // with no live room (a restart), the lock on record decides.
  if (!ctx.rooms.admitsThroughLock(session, invitation.participantId, onRecord)) {
    log.info('participant.locked_out', { sessionId: session.id, participantId: invitation.participantId });
    throw new ProtocolError('ROOM_LOCKED', 'the group is locked; ask your facilitator');
  }
  const { room, peer, resumeToken } = clientOf(ctx, session, onRecord, invitation, channel);
  room.addClient(peer, tokenDigest(resumeToken));
  return {
    peer,
    room,
    result: {
      ...helloAnswer(ctx, session, peer, resumeToken, data.language),
      state: 'check-in',
    },
  };
}

/**
 * A client back after its socket dropped, with the resume token of its last hello, within
 * the grace period: into the place it had (see Room.resume). The token works once; the
 * answer carries the next. Failures count against the address like a wrong passcode.
 */
export async function resumeHello(
  ctx: SignalingContext,
  data: Extract<ParsedRequestData<'hello'>, { as: 'resume' }>,
  channel: PeerChannel,
  isOpen: () => boolean,
  address: string,
): Promise<Joined<ParticipantHelloResult> | undefined> {
  // No slow check follows, but the same attempt counts as a passcode hello's.
  const attempt = await ctx.helloAttemptsByAddress.reserve(address);
  if (!attempt) {
    log.warn('participant.rate_limited', { scope: 'address' });
    throw new ProtocolError('RATE_LIMITED', TOO_MANY);
  }
  // Where the place is hosted comes first: at a server that does not host the session the
  // token stays unspent, and HOSTED_ELSEWHERE sends the client on with it.
  const place = await ctx.store.resumptions.byTokenHash(tokenDigest(data.resumeToken));
  const onRecordEarly = place ? await ctx.rooms.onRecord(place.sessionId) : undefined;
  // The token is spent here, whatever follows: the row answers to the next one from now on,
  // so two resumes with one token (on two sockets, or two servers) cannot both get in.
  const nextToken = randomToken();
  const spent = tokenDigest(data.resumeToken);
  const next = tokenDigest(nextToken);
  let previous = await ctx.store.resumptions.claim(spent, next);
  // Spent by a resume whose connection has not been heard from since its answer: the client
  // may never have had the next token, and this one stands in for it, once (unheardResumes.ts).
  const standingIn = previous ? undefined : ctx.unheardResumes.take(spent);
  if (standingIn) previous = await ctx.store.resumptions.claim(standingIn, next);
  const now = ctx.lifecycle.now();
  if (!previous || (previous.expiresAt !== null && Date.parse(previous.expiresAt) < now.getTime())) {
    log.info('participant.resume_refused', previous ? { participantId: previous.participantId } : {});
    throw new ProtocolError('UNAUTHENTICATED', NOT_RESUMABLE);
  }
  // Until the room takes the client back, the next token has reached no one: a socket closed
  // meanwhile, or a refusal, leaves the row answering to the token the client holds.
  const putBack = (): Promise<unknown> => ctx.store.resumptions.claim(next, spent).catch(() => undefined);
  let joining: { invitation: Invitation; session: SessionRecord; onRecord: RoomOnRecord };
  try {
    await attempt.giveBack();
    const [invitation, session, onRecord] = await Promise.all([
      ctx.store.invitations.byParticipantId(previous.sessionId, previous.participantId),
      ctx.store.sessions.byId(previous.sessionId),
      onRecordEarly !== undefined && place?.sessionId === previous.sessionId ? onRecordEarly : ctx.rooms.onRecord(previous.sessionId),
    ]);
    if (!isOpen()) {
      await putBack();
      return undefined;
    }
    if (!invitation) throw new ProtocolError('UNAUTHENTICATED', NOT_RESUMABLE);
    if (invitation.revokedAt !== null) throw new ProtocolError('REMOVED', 'this invitation has been withdrawn');
    if (invitation.expiredAt !== null) throw new ProtocolError('SESSION_ENDED', 'this session has ended', { reason: 'session-ended' });
    if (!session) throw new ProtocolError('UNAUTHENTICATED', NOT_RESUMABLE);
    assertJoinable(ctx, session);
    joining = { invitation, session, onRecord };
  } catch (err) {
    await putBack();
    throw err;
  }

  const { room, peer, resumeToken } = clientOf(ctx, joining.session, joining.onRecord, joining.invitation, channel, nextToken);
  const resumed = room.resume(peer, previous, tokenDigest(resumeToken));
  return {
    peer,
    room,
    result: {
      // A resume names no language: the one accepted at check-in in this live room, if any.
      ...helloAnswer(ctx, joining.session, peer, resumeToken, peer.standing.language ?? undefined),
      state: resumed.state,
      resumed: true,
      readmitting: resumed.readmit,
    },
    ...(resumed.readmit ? { afterAnswer: () => room.readmitIfReturning(peer) } : {}),
    // Once only: a token that has stood in is not kept to stand in again.
    ...(standingIn ? {} : { resumedWith: { spent, next } }),
  };
}

export async function clinicianHello(
  ctx: SignalingContext,
  data: Extract<ParsedRequestData<'hello'>, { as: 'clinician' }>,
  channel: PeerChannel,
  isOpen: () => boolean,
): Promise<Joined<ClinicianHelloResult> | undefined> {
  // The ticket is spent here whatever follows. Its sign-in must still be good: the socket is
  // registered under that token below, so it closes when the sign-in ends.
  const grant = ctx.tickets.redeem(data.ticket, data.sessionId);
  const clinician = grant ? await ctx.auth.checkLive(grant.tokenHash) : undefined;
  if (!grant || clinician?.id !== grant.clinicianId) {
    log.info('clinician.ticket_refused', grant ? { clinicianId: grant.clinicianId } : {});
    throw new ProtocolError('UNAUTHENTICATED', 'this session ticket is used, expired or for another session; ask for a new one', { reason: 'ticket-expired' });
  }
  const { tokenHash } = grant;
  const session = await ctx.store.sessions.byId(data.sessionId);
  // An unknown session and someone else's session answer alike.
  const role = session ? await liveRoleFor(ctx.store, clinician, session) : undefined;
  if (!session || !role) {
    log.info('clinician.forbidden', { clinicianId: clinician.id });
    throw new ProtocolError('FORBIDDEN', 'you are not a facilitator or supervisor of this session', { reason: 'not-session-facilitator' });
  }
  if (ctx.lifecycle.stateOf(session) === 'ended') throw new ProtocolError('SESSION_ENDED', 'this session has ended', { reason: 'session-ended' });
  const joinFrom = ctx.lifecycle.cliniciansMayJoinFrom(session);
  if (ctx.lifecycle.now().getTime() < joinFrom.getTime()) {
    throw new ProtocolError('FORBIDDEN', `clinicians may join from ${joinFrom.toISOString()}`, { reason: 'join-too-early', params: { at: joinFrom.toISOString() } });
  }

  // A facilitator joining makes the session live (and opens its waiting room). Recorded before
  // the join, so nothing waits between the peer's place in the room and the answer.
  if (role === 'facilitator') await ctx.store.sessions.markLive(session.id);
  const state = ctx.lifecycle.stateOf((role === 'facilitator' ? await ctx.store.sessions.byId(session.id) : session) ?? session);
  const participantId = ctx.rooms.clinicianParticipantId(session.id, clinician.id);
  const onRecord = await ctx.rooms.onRecord(session.id);
  if (!isOpen()) return undefined;
  const room = ctx.rooms.open(session, onRecord);
  room.reserve();
  try {
    const rtpCapabilities = await room.rtpCapabilities();
    if (!isOpen()) return undefined;
    // The same clinician again: their earlier socket is dead but not yet noticed (a dropped
    // link), or open in another window. Either way the new connection is the one they use.
    const stale = room.peer(participantId);
    if (stale) {
      log.info('clinician.replaced', { sessionId: session.id, clinicianId: clinician.id });
      stale.channel.close(1000, 'replaced by a new connection');
      room.removePeer(stale);
    }
    const peer = new Peer({
      participantId,
      role,
      channel,
      displayName: clinician.displayName,
      state: 'admitted',
      clinicianId: clinician.id,
      deviceId: grant.deviceId ?? null,
    });
    const snapshot = room.addClinician(peer, rtpCapabilities);
    // A facilitator in the room makes the session live (and opens its waiting room).
    const unregister = ctx.live.add(clinician.id, tokenHash, channel, { sessionId: session.id, role });
    return { peer, room, result: { role, ...snapshot, session: { ...snapshot.session, state } }, onLeave: unregister };
  } finally {
    room.release();
  }
}

/**
 * `readRecap`: a client of a session that has ended reads its written recap (issue 20) with
 * their link and passcode, checked and limited exactly as a hello's; the first opening is kept
 * for the roster and every one goes on the audit log. A session still to come or under way
 * has no recap to read yet (its page is for joining it), nor does a withdrawn invitation.
 */
export async function readRecap(
  ctx: SignalingContext,
  data: ParsedRequestData<'readRecap'>,
  address: string,
): Promise<ReadRecapResult> {
  const invitation = await ctx.store.invitations.byTokenHash(tokenDigest(data.invite));
  if (!(await passcodeChecks(ctx, invitation, data.passcode, address)) || !invitation) {
    throw new ProtocolError('UNAUTHENTICATED', NOT_RECOGNISED);
  }
  if (invitation.revokedAt !== null) throw new ProtocolError('REMOVED', 'this invitation has been withdrawn');
  const session = await ctx.store.sessions.byId(invitation.sessionId);
  if (!session) throw new ProtocolError('UNAUTHENTICATED', NOT_RECOGNISED);
  if (ctx.lifecycle.stateOf(session) !== 'ended') throw new ProtocolError('CONFLICT', 'this session has not ended; join it instead', { reason: 'session-not-ended' });
  const recap = await ctx.store.recaps.get(session.id);
  const now = ctx.lifecycle.now();
  if (!recap || Date.parse(recap.visibleUntil) <= now.getTime()) return { sessionTitle: session.title, recap: null };
  await ctx.store.atomically(async (tx) => {
    await tx.recaps.opened(session.id, invitation.participantId, now.toISOString());
    await tx.audit.record({ at: now, event: 'recap.opened', actorId: null, subjectId: invitation.participantId, sessionId: session.id, address, detail: null });
  });
  log.info('recap.opened', { sessionId: session.id, participantId: invitation.participantId });
  return { sessionTitle: session.title, recap: { text: recap.text, writtenAt: recap.writtenAt } };
}
