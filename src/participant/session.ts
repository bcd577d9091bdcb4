/**
 * The participant page's connection to its session: the socket, hello with the passcode,
 * getting back into the same place after a drop (getBackIn, with the resume token), leaving,
 * and every ending. The rest of the page plugs in through SessionParts; what the page does
 * once it is in belongs to the other parts (checkIn.ts, group.ts, localMedia.ts, chat.ts).
 */
import { ProtocolError, type ParticipantHelloResult } from '../shared/protocol';
import { SignalingClient } from '../client/signaling';
import { DELIBERATE_CLOSES, getBackIn } from '../client/reconnect';
import { notOpenYet, timeOfDay, words } from './i18n';
import { initialModeration } from './moderation';
import { initialGroupChat } from './groupChatState';
import { ServerRoute } from './serverRoute';
import { announce, initialState, pageState, setPageState, type EndReason } from './store';

/** Refusals that end the visit, whichever request the server answers with them. */
export const HELLO_ENDINGS: Partial<Record<ProtocolError['code'], EndReason>> = {
  RATE_LIMITED: 'rateLimited',
  // A revoked invitation: the person was removed earlier (or the clinic withdrew it).
  REMOVED: 'revoked',
  SESSION_ENDED: 'sessionEnded',
  ROOM_LOCKED: 'roomLocked',
  CONFLICT: 'conflict',
};

/** How many times one hello follows HOSTED_ELSEWHERE to another server before giving up. */
const MAX_HOPS = 2;

/** What the session needs from the rest of the page. */
export interface SessionParts {
  /** Subscribes the page to a new socket's notifications: the first, and each after a drop. */
  listen(signaling: SignalingClient): void;
  /** A hello succeeded on `signaling` (the passcode's, or a resume): this connection's key is announced. */
  connected(signaling: SignalingClient, participantId: string): void;
  /** The passcode was accepted: the preview of the camera and microphone can start. */
  passcodeAccepted(): void;
  /** The connection dropped: the group's media goes with it until the page is back in. */
  dropped(): void;
  /** The visit is over: no media of it stays live. */
  ended(): void;
}

export class ParticipantSession {
  private socket: SignalingClient | null = null;
  /** From the last hello: gets this person back into their place after a dropped connection. Memory only. */
  private resumeToken: string | null = null;
  /** Bumped by every ending, so a reconnect loop from before it stops. */
  private generation = 0;
  private leaving = false;
  /**
   * The passcode of the last hello, kept in memory only while a locked room may open again,
   * so "Try again" does not make the person type it twice.
   */
  private lockedPasscode: string | null = null;
  /** Which server to talk to: the page's own, the session's host, another after a loss. */
  private readonly route: ServerRoute;

  constructor(
    private readonly token: string | null,
    wsUrl: string,
    private readonly parts: SessionParts,
  ) {
    this.route = new ServerRoute(wsUrl);
  }

  /** The socket of this visit while it is open. */
  get signaling(): SignalingClient | null {
    return this.socket;
  }

  async submitPasscode(passcode: string): Promise<void> {
    if (!this.token) return this.end('invalidLink');
    const code = passcode.trim();
    if (!code) {
      setPageState({ formError: words().errors.passcodeEmpty });
      return;
    }
    setPageState({ busy: true, formError: null });
    await this.hello(code);
  }

  /**
   * "Try again" on an ending screen. A locked room is asked again with the same passcode;
   * anything else starts over at the passcode screen.
   */
  async retry(): Promise<void> {
    const code = this.lockedPasscode;
    if (pageState().endReason !== 'roomLocked' || !code || !this.token) return this.restart();
    setPageState({ retrying: true, formError: null });
    await this.hello(code);
    if (pageState().screen === 'ended' && pageState().endReason === 'roomLocked') {
      setPageState({ formError: words().errors.stillLocked(timeOfDay(new Date())) });
      announce(words().ended.stillLockedAnnounce);
    }
  }

  async leave(): Promise<void> {
    this.leaving = true;
    setPageState({ busy: true });
    try {
      await this.socket?.request('leave', {});
    } catch {
      // Leaving must always work from the person's point of view.
    }
    this.end('left');
  }

  /** From a retryable ending back to the passcode screen, keeping the person's choices. */
  restart(): void {
    const { wantAudio, wantVideo, textOnly, language, background } = pageState();
    this.lockedPasscode = null;
    setPageState({ ...initialState, wantAudio, wantVideo, textOnly, language, background, screen: 'passcode' });
  }

  end(reason: EndReason): void {
    this.generation++;
    this.resumeToken = null;
    this.parts.ended();
    const signaling = this.socket;
    this.socket = null;
    signaling?.close();
    this.lockedPasscode = null;
    setPageState({
      screen: 'ended',
      endReason: reason,
      busy: false,
      retrying: false,
      formError: null,
      localAudio: null,
      localVideo: null,
      mediaBusy: { audio: false, video: false },
      peers: {},
      remote: {},
      waitingNote: null,
      reconnecting: false,
      // Messages, mutes and the lock belong to this visit only: nothing stays behind.
      moderation: initialModeration,
      groupChat: initialGroupChat,
      connectionQuality: null,
    });
  }

  private async hello(code: string): Promise<void> {
    if (!this.token) return this.end('invalidLink');
    const fromEnding = pageState().screen === 'ended';
    try {
      const hello = await this.helloWhereHosted(code);
      if (this.socket) this.parts.connected(this.socket, hello.participantId);
      this.route.learn(hello.servers);
      this.resumeToken = hello.resumeToken;
      this.lockedPasscode = null;
      setPageState({
        busy: false,
        retrying: false,
        formError: null,
        endReason: null,
        screen: 'checkIn',
        sessionTitle: hello.session.title,
        agreement: hello.agreement,
        agreements: hello.agreements ?? [],
        participantId: hello.participantId,
      });
      announce(words().passcode.accepted);
      this.parts.passcodeAccepted();
    } catch (err) {
      setPageState({ busy: false, retrying: false });
      if (err instanceof ProtocolError) {
        const ending = HELLO_ENDINGS[err.code];
        // The group is over: its therapist may have written a recap for its clients.
        if (ending === 'sessionEnded') await this.readRecap(code);
        if (ending) {
          this.end(ending);
          if (ending === 'roomLocked') this.lockedPasscode = code;
          return;
        }
        const mismatch = err.code === 'UNAUTHENTICATED' || err.code === 'BAD_REQUEST';
        const message = mismatch
          ? words().errors.passcodeMismatch
          : err.code === 'FORBIDDEN'
            ? notOpenYet(err)
            : words().errors.unexpected;
        // From an ending screen, a passcode problem belongs on the passcode screen.
        if (fromEnding && mismatch) this.restart();
        setPageState({ formError: message });
        return;
      }
      setPageState({ formError: words().errors.unreachable });
    }
  }

  /**
   * The recap of a session that has ended, with the same link and passcode, on the socket the
   * hello was refused on (a recap is read before any hello). None written, or no longer shown:
   * the ending says only that the session has ended.
   */
  private async readRecap(code: string): Promise<void> {
    try {
      const { sessionTitle, recap } = await (await this.ensureSocket()).request('readRecap', { invite: this.token ?? '', passcode: code });
      setPageState({ recap: recap ? { sessionTitle, ...recap } : null });
    } catch (err) {
      // The ending stands on its own; the recap can be read on another visit.
      console.warn('readRecap:', err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The passcode hello, at the server that hosts the session: where several servers share a
   * deployment, the first may name another (HOSTED_ELSEWHERE), and the page says hello there.
   */
  private async helloWhereHosted(code: string): Promise<ParticipantHelloResult> {
    const token = this.token ?? '';
    for (let hops = 0; ; hops++) {
      const signaling = await this.ensureSocket();
      try {
        // The agreement comes back in the page's language (every language's comes too).
        return await signaling.request('hello', { as: 'participant', invite: token, passcode: code, language: pageState().language });
      } catch (err) {
        if (!(err instanceof ProtocolError) || err.code !== 'HOSTED_ELSEWHERE' || hops >= MAX_HOPS || !this.route.redirect(err.host)) throw err;
        this.socket = null;
        signaling.close();
      }
    }
  }

  /** The open socket, or a new one (the last may have closed between passcode attempts). */
  private async ensureSocket(): Promise<SignalingClient> {
    if (this.socket?.isOpen) return this.socket;
    const signaling = await SignalingClient.connect(this.route.current);
    this.socket = signaling;
    this.leaving = false;
    this.watch(signaling);
    return signaling;
  }

  private watch(signaling: SignalingClient): void {
    this.parts.listen(signaling);
    signaling.onClose((code) => this.onSocketClosed(signaling, code));
  }

  private onSocketClosed(signaling: SignalingClient, code: number): void {
    if (signaling !== this.socket) return;
    this.socket = null;
    const { screen } = pageState();
    // Before hello succeeds a closed socket is harmless: the next attempt opens another.
    if (screen === 'ended' || screen === 'passcode') return;
    if (this.leaving) return this.end('left');
    // A dropped link or a restarting server: the server keeps this person's place for a
    // while, so get back into it rather than send them to the start.
    if (this.resumeToken && !DELIBERATE_CLOSES.has(code)) return void this.reconnect();
    this.end('connectionLost');
  }

  /**
   * Back into the same place with the resume token, with backoff, for RECONNECT_WINDOW_MS:
   * the waiting room stays the waiting room, the group is rejoined (the server admits again
   * at once), and the camera and microphone as chosen are published again. What the person
   * sees meanwhile: their own screen, with a calm note that the connection is coming back.
   */
  private async reconnect(): Promise<void> {
    const generation = ++this.generation;
    const wasInGroup = pageState().screen === 'call' || pageState().screen === 'joining';
    this.parts.dropped();
    setPageState({ reconnecting: true, peers: {}, remote: {} });
    announce(words().page.reconnecting);
    const result = await getBackIn({
      attempt: () => this.resumeWhereHosted(),
      // The place is gone (too long away) or the answer is final: say so plainly. A session
      // whose host is still being settled (HOSTED_ELSEWHERE) is asked again.
      isFinal: (err) => err instanceof ProtocolError && err.code !== 'HOSTED_ELSEWHERE',
      cancelled: () => generation !== this.generation || pageState().screen === 'ended',
    });
    if (result.outcome === 'refused') {
      const ending = result.error instanceof ProtocolError ? HELLO_ENDINGS[result.error.code] : undefined;
      return this.end(ending ?? 'connectionLost');
    }
    if (result.outcome === 'timedOut') return this.end('connectionLost');
    if (result.outcome === 'cancelled') return;
    const hello = result.value;
    if (this.socket) this.parts.connected(this.socket, hello.participantId);
    this.route.learn(hello.servers);
    this.resumeToken = hello.resumeToken;
    setPageState({ reconnecting: false });
    if (hello.state === 'check-in') {
      setPageState({ screen: 'checkIn' });
    } else if (hello.readmitting) {
      // `admitted` follows at once; the group part rejoins the group and publishes again.
      setPageState({ screen: 'joining' });
    } else {
      setPageState({ screen: 'waiting', waitingNote: wasInGroup ? 'returned' : pageState().waitingNote });
      announce(
        wasInGroup ? words().waiting.backInWaitingFromGroup : words().waiting.backInWaiting,
      );
    }
  }

  /**
   * One try at getting back in, at the server the route names; if that server names another
   * as the session's host, there at once. A server that does not answer sends the next try
   * to another (the page's own, then the fleet's).
   */
  private async resumeWhereHosted(): Promise<ParticipantHelloResult> {
    for (let hops = 0; ; hops++) {
      try {
        return await this.resume();
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          this.route.unreachable();
          throw err;
        }
        if (err.code !== 'HOSTED_ELSEWHERE' || hops >= MAX_HOPS || !this.route.redirect(err.host)) throw err;
      }
    }
  }

  /** One try at getting back in: a new socket, and hello with the resume token. */
  private async resume(): Promise<ParticipantHelloResult> {
    const token = this.resumeToken;
    // Not met in practice: only an ending forgets the token, and an ending cancels the loop first.
    if (!token) throw new ProtocolError('UNAUTHENTICATED', 'no place to resume');
    let signaling: SignalingClient | null = null;
    try {
      signaling = await SignalingClient.connect(this.route.current);
      this.watch(signaling);
      this.socket = signaling;
      const hello = await signaling.request('hello', { as: 'resume', resumeToken: token });
      return hello;
    } catch (err) {
      if (signaling && this.socket === signaling) this.socket = null;
      signaling?.close();
      throw err;
    }
  }
}
