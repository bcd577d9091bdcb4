/**
 * One WebSocket: parses frames, applies PROTOCOL.md's checks in their order, dispatches to
 * handlers and turns every failure into an envelope. Whatever goes wrong on one socket stays
 * on that socket.
 */
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_POLICY_VIOLATION,
  FLOOD_LIMIT,
  FLOOD_WINDOW_MS,
  isAllowed,
  isMethodName,
  ProtocolError,
  RequestFrame,
  requestSchemas,
  type ErrorBody,
  type ErrorCode,
  type MethodName,
  type NotificationName,
  type NotificationTypes,
  type ParsedRequestData,
} from '../../shared/protocol.js';
import { atEndOfTurn } from './endOfTurn.js';
import { createLogger, errorFields } from '../../common/logger.js';
import { SlidingWindowLimiter } from '../limits/rateLimiter.js';
import type { Peer, PeerChannel } from '../rooms/peer.js';
import type { Room } from '../rooms/room.js';
import type { SignalingContext } from './context.js';
import { clinicianHello, participantHello, readRecap, resumeHello, type Joined } from './hello.js';
import { storageError, storageErrorCode } from '../store/storageErrors.js';
import { ROLE_CHANGED } from '../accounts/liveClinicians.js';
import { currentLiveRole } from '../sessions/access.js';
import { runMethod, type MethodContext } from './methods.js';
import { TokenBucket } from './requestRate.js';
import type { SignalingLimits } from './signalingServer.js';

const log = createLogger('signaling');

/** Failed hellos per socket within FLOOD_WINDOW_MS before RATE_LIMITED. */
export const HELLO_FAILURE_LIMIT = 5;

type HelloState = 'none' | 'pending' | 'done';

/** The payload of the ping that follows a resume's answer, told apart from the heartbeat's empty one. */
const ANSWER_CHECK = Buffer.from('answer-check');

/** Answers frozen by whoever made them never change, so their JSON is kept (see respond). */
const serializedOnce = new WeakMap<object, string>();

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export class SignalingConnection implements PeerChannel {
  private helloState: HelloState = 'none';
  private joined: { peer: Peer; room: Room; onLeave: (() => void) | undefined } | undefined;
  private readonly badRequests = new SlidingWindowLimiter(FLOOD_LIMIT, FLOOD_WINDOW_MS);
  private readonly helloFailures = new SlidingWindowLimiter(HELLO_FAILURE_LIMIT, FLOOD_WINDOW_MS);
  private readonly requests: TokenBucket;
  private helloTimer: NodeJS.Timeout | undefined;
  /** The tokens a resume on this socket spent and answered with, until anything is heard from its client after the answer (unheardResumes.ts). */
  private unheard: { spent: string; next: string } | undefined;
  private corked = false;
  /** Requests refused in a row for the rate, so a flood is logged once, not per frame. */
  private rateLimited = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: SignalingContext,
    readonly connectionId: string,
    /** The remote address, for per-address limits; never logged. */
    private readonly address: string,
    private readonly limits: Pick<SignalingLimits, 'helloTimeoutMs' | 'maxBufferedBytes' | 'requestBurst' | 'requestsPerSecond'>,
  ) {
    this.requests = new TokenBucket(limits.requestBurst, limits.requestsPerSecond);
    this.helloTimer = setTimeout(() => {
      log.info('socket.hello_timeout', { connectionId });
      this.close(CLOSE_POLICY_VIOLATION, 'no hello in time');
    }, limits.helloTimeoutMs);
    this.helloTimer.unref();
    socket.on('message', (data, isBinary) => {
      this.heardFrom();
      this.onMessage(data, isBinary);
    });
    // The pong to the ping sent right after a resume's answer: frames arrive in order, so the
    // client had the answer before it could answer the ping.
    socket.on('pong', (data) => {
      if (data.equals(ANSWER_CHECK)) this.heardFrom();
    });
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => log.warn('socket.error', { connectionId, ...errorFields(err) }));
  }

  /** The last of this socket's who-is-asking-now reads (clinicians' calls), which the next waits for. */
  private roleChecks: Promise<unknown> = Promise.resolve();

  /** Something came from the client: whatever was answered before it has arrived. */
  private heardFrom(): void {
    if (this.unheard === undefined) return;
    this.ctx.unheardResumes.heard(this.unheard.spent, this.unheard.next);
    this.unheard = undefined;
  }

  private get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  // --- PeerChannel ---------------------------------------------------------------------

  notify<N extends NotificationName>(name: N, data: NotificationTypes[N]): void {
    this.send({ notification: name, data });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  // --- frames ----------------------------------------------------------------------------

  private send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (!this.isOpen) return;
    this.holdWritesForThisTurn();
    this.socket.send(text);
    // Past the kernel's buffers the backlog is ours to hold. A reader this far behind is not
    // coming back in time to make use of it: cut it now (a close frame would only queue
    // behind the backlog), and its peer leaves the room as on any other close.
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      log.warn('socket.backlog', {
        connectionId: this.connectionId,
        participantId: this.joined?.peer.participantId,
        bytes: this.socket.bufferedAmount,
      });
      this.socket.terminate();
    }
  }

  /**
   * Frames sent to this socket during one turn of the event loop leave in one write: when
   * fifty clients check in at once, the facilitator's fifty knocks cost one system call, not
   * fifty, and the last knock is not queued behind the others' writes. The socket is released
   * at the end of the turn, before the turn's records are written (endOfTurn.ts), so a single
   * answer waits microseconds.
   * ws exposes no cork of its own; its socket is the net.Socket underneath.
   */
  private holdWritesForThisTurn(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (!raw) return;
    raw.cork();
    this.corked = true;
    atEndOfTurn('send', () => {
      this.corked = false;
      raw.uncork();
    });
  }

  private respond(id: number, data: unknown): void {
    if (data !== null && typeof data === 'object' && Object.isFrozen(data)) {
      // The same frozen answer for many sockets (every check-in's codecs): serialized once.
      let json = serializedOnce.get(data);
      if (json === undefined) {
        json = JSON.stringify(data);
        serializedOnce.set(data, json);
      }
      return this.sendText(`{"id":${JSON.stringify(id)},"ok":true,"data":${json}}`);
    }
    this.send({ id, ok: true, data });
  }

  private fail(id: number | null, code: ErrorCode, message: string, details: Pick<ErrorBody, 'host' | 'reason' | 'params'> = {}): void {
    const error: ErrorBody = { code, message, ...details };
    this.send({ id, ok: false, error });
    if (code === 'BAD_REQUEST' && this.badRequests.hit('all') >= FLOOD_LIMIT) {
      log.warn('socket.flood', { connectionId: this.connectionId, participantId: this.joined?.peer.participantId });
      this.close(CLOSE_POLICY_VIOLATION, 'too many bad requests');
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!this.isOpen) return;
    if (isBinary) return this.fail(null, 'BAD_REQUEST', 'frames must be JSON text');
    let json: unknown;
    try {
      json = JSON.parse(rawToString(data));
    } catch {
      return this.fail(null, 'BAD_REQUEST', 'frames must be JSON text');
    }
    const frame = RequestFrame.safeParse(json);
    if (!frame.success) return this.fail(null, 'BAD_REQUEST', 'not a request: expected {id, method, data}');
    const { id, method } = frame.data;
    if (!isMethodName(method)) return this.fail(id, 'BAD_REQUEST', 'unknown method');
    // Every method counts, valid or not: a flood of well-formed requests costs the server
    // (and the media worker) as much as any other.
    if (!this.requests.take()) {
      this.rateLimited++;
      if (this.rateLimited === 1) log.warn('socket.rate_limited', { connectionId: this.connectionId, participantId: this.joined?.peer.participantId });
      return this.fail(id, 'RATE_LIMITED', 'too many requests; slow down', { reason: 'too-many-requests' });
    }
    this.rateLimited = 0;

    if (method === 'hello' || method === 'readRecap') {
      if (this.helloState !== 'none') return this.fail(id, 'FORBIDDEN', 'hello has already been said');
    } else {
      if (this.helloState !== 'done' || !this.joined) return this.fail(id, 'UNAUTHENTICATED', 'say hello first');
      if (!isAllowed(this.joined.peer.caller(), method)) {
        return this.fail(id, 'FORBIDDEN', 'not allowed for your role or state');
      }
    }
    const parsed = requestSchemas[method].safeParse(frame.data.data ?? {});
    if (!parsed.success) return this.fail(id, 'BAD_REQUEST', `invalid data for ${method}`);

    const started =
      method === 'hello'
        ? this.hello(id, parsed.data as ParsedRequestData<'hello'>)
        : method === 'readRecap'
          ? this.readRecap(id, parsed.data as ParsedRequestData<'readRecap'>)
          : this.call(id, method, parsed.data);
    started.catch((err: unknown) => this.failFromError(id, method, err));
  }

  private failFromError(id: number, method: MethodName, err: unknown): void {
    if (err instanceof ProtocolError) {
      const { code, message, ...details } = err.toBody();
      return this.fail(id, code, message, details);
    }
    const storage = storageError(err);
    if (storage) {
      log.error('method.storage_failed', { connectionId: this.connectionId, method, code: storageErrorCode(err) });
      const { code, message, ...details } = storage.toBody();
      return this.fail(id, code, message, details);
    }
    log.error('method.internal', {
      connectionId: this.connectionId,
      participantId: this.joined?.peer.participantId,
      method,
      ...errorFields(err),
    });
    this.fail(id, 'INTERNAL', 'something went wrong on the server', { reason: 'server-failed' });
  }

  private async hello(id: number, data: ParsedRequestData<'hello'>): Promise<void> {
    if (this.helloFailures.isBlocked('all')) {
      throw new ProtocolError('RATE_LIMITED', 'too many attempts; try again later', { reason: 'sign-in-too-many' });
    }
    this.helloState = 'pending';
    const isOpen = (): boolean => this.isOpen;
    let joined: Joined<unknown> | undefined;
    try {
      joined =
        data.as === 'participant'
          ? await participantHello(this.ctx, data, this, isOpen, this.address)
          : data.as === 'resume'
            ? await resumeHello(this.ctx, data, this, isOpen, this.address)
            : await clinicianHello(this.ctx, data, this, isOpen);
    } catch (err) {
      // A failed hello leaves the socket open for another try (PROTOCOL.md), within limits.
      this.helloState = 'none';
      this.helloFailures.hit('all');
      throw err;
    }
    if (!joined) {
      this.helloState = 'none';
      return;
    }
    this.joined = { peer: joined.peer, room: joined.room, onLeave: joined.onLeave };
    this.helloState = 'done';
    clearTimeout(this.helloTimer);
    log.info('hello.ok', {
      connectionId: this.connectionId,
      sessionId: joined.room.id,
      participantId: joined.peer.participantId,
      role: joined.peer.role,
    });
    this.respond(id, joined.result);
    if (joined.resumedWith) {
      this.ctx.unheardResumes.answered(joined.resumedWith.spent, joined.resumedWith.next);
      this.unheard = joined.resumedWith;
      if (this.isOpen) this.socket.ping(ANSWER_CHECK);
    }
    joined.afterAnswer?.().catch((err: unknown) => {
      log.error('hello.follow_up_failed', { connectionId: this.connectionId, ...errorFields(err) });
    });
  }

  /** A recap read before any hello: its failures count as failed hellos on this socket. */
  private async readRecap(id: number, data: ParsedRequestData<'readRecap'>): Promise<void> {
    if (this.helloFailures.isBlocked('all')) throw new ProtocolError('RATE_LIMITED', 'too many attempts; try again later', { reason: 'sign-in-too-many' });
    try {
      this.respond(id, await readRecap(this.ctx, data, this.address));
    } catch (err) {
      this.helloFailures.hit('all');
      throw err;
    }
  }

  private async call<M extends Exclude<MethodName, 'hello' | 'readRecap'>>(id: number, method: M, data: unknown): Promise<void> {
    const joined = this.joined;
    if (!joined) throw new ProtocolError('UNAUTHENTICATED', 'say hello first');
    let closeAfter: { code: number; reason: string } | undefined;
    let followUp: (() => Promise<void>) | undefined;
    const mc: MethodContext = {
      ctx: this.ctx,
      peer: joined.peer,
      room: joined.room,
      closeAfterResponse: (code, reason) => {
        closeAfter = { code, reason };
      },
      afterResponse: (work) => {
        followUp = work;
      },
    };
    // Who is asking now, not who said hello: a clinician taken off the session, stripped of
    // the role or deactivated since then is refused and their socket closed (the record may
    // have changed in another process, so it is read afresh on every call).
    // The reads are chained, so this socket's calls still start in the order they came.
    const clinicianId = joined.peer.clinicianId;
    let roleNow: string | undefined;
    if (clinicianId !== undefined) {
      const check = this.roleChecks.then(() => currentLiveRole(this.ctx.store, clinicianId, joined.room.id));
      this.roleChecks = check.catch(() => undefined);
      roleNow = await check;
    }
    if (clinicianId !== undefined && roleNow !== joined.peer.role) {
      log.info('clinician.role_changed', { connectionId: this.connectionId, sessionId: joined.room.id, clinicianId });
      this.fail(id, 'FORBIDDEN', ROLE_CHANGED, { reason: 'role-changed' });
      this.close(CLOSE_POLICY_VIOLATION, ROLE_CHANGED);
      return;
    }
    // `data` was parsed by requestSchemas[method] just before this call.
    const result = await runMethod(method, mc, data as ParsedRequestData<M>);
    this.respond(id, result);
    if (closeAfter) this.close(closeAfter.code, closeAfter.reason);
    // Its response has gone; a failure now can only be logged.
    followUp?.().catch((err: unknown) => {
      log.error('method.follow_up_failed', { connectionId: this.connectionId, method, ...errorFields(err) });
    });
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    const joined = this.joined;
    this.joined = undefined;
    if (joined) {
      joined.onLeave?.();
      joined.room.removePeer(joined.peer);
    }
    log.debug('socket.closed', { connectionId: this.connectionId });
  }
}
