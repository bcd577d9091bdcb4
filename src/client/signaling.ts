/**
 * The typed WebSocket signaling client (PROTOCOL.md, "WebSocket /ws"), shared by the
 * participant page and the console renderer. One instance owns one socket: requests are
 * matched to responses by id, notifications are dispatched by name.
 */
import {
  ErrorBody,
  ProtocolError,
  type HelloResultFor,
  type MethodName,
  type NotificationName,
  type NotificationTypes,
  type RequestData,
  type ResultTypes,
} from '../shared/protocol';

/**
 * The slice of the WebSocket API we use, so Node tests can pass the `ws` package's class.
 * Handler parameters are `never` so both the DOM's and `ws`'s event types fit; the handlers
 * we install declare (and check) the few fields they read.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}
interface MessageEventLike {
  data: unknown;
}
interface CloseEventLike {
  code?: unknown;
  reason?: unknown;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface SignalingOptions {
  /** Defaults to the browser's global WebSocket. */
  WebSocketImpl?: WebSocketCtor;
  /** How long a request may wait for its response before it fails. */
  requestTimeoutMs?: number;
  /** How long `connect` waits for the socket to open. */
  connectTimeoutMs?: number;
}

const OPEN = 1;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

interface Pending {
  method: MethodName;
  resolve: (data: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type AnyNotificationHandler = (data: unknown) => void;
type CloseHandler = (code: number, reason: string) => void;

/** Thrown for requests that never got an answer: the socket closed or the server went quiet. */
export class SignalingClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalingClosedError';
  }
}

export class SignalingClient {
  private readonly ws: WebSocketLike;
  private readonly requestTimeoutMs: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<AnyNotificationHandler>>();
  private readonly closeHandlers = new Set<CloseHandler>();
  private closed = false;

  /** Wraps a socket; prefer `connect`, which also waits for it to open. */
  constructor(ws: WebSocketLike, options: Pick<SignalingOptions, 'requestTimeoutMs'> = {}) {
    this.ws = ws;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    ws.onmessage = (ev: MessageEventLike) => this.handleFrame(ev.data);
    ws.onclose = (ev: CloseEventLike) => this.handleClose(closeCode(ev), closeReason(ev));
    // An error is always followed by a close event, which is where pending requests fail.
    ws.onerror = () => undefined;
  }

  /** Opens a socket to `url` and resolves once it is open. */
  static connect(url: string, options: SignalingOptions = {}): Promise<SignalingClient> {
    const Impl = options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!Impl) return Promise.reject(new SignalingClosedError('WebSockets are not available here.'));
    const ws = new Impl(url);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.onopen = ws.onclose = null;
        ws.close();
        reject(new SignalingClosedError('The connection timed out.'));
      }, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      ws.onopen = () => {
        clearTimeout(timer);
        ws.onopen = null;
        resolve(new SignalingClient(ws, options));
      };
      ws.onerror = () => undefined;
      ws.onclose = (ev: CloseEventLike) => {
        clearTimeout(timer);
        reject(new SignalingClosedError(`Could not connect (${closeCode(ev)}).`));
      };
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === OPEN;
  }

  /**
   * Sends a request and resolves with its result, or rejects with a ProtocolError. A hello
   * resolves with the answer to what it presented (a clinician's ticket, or a client's
   * invitation or resume token), so its caller need not tell the two apart.
   */
  request<D extends RequestData<'hello'>>(method: 'hello', data: D): Promise<HelloResultFor<D>>;
  request<M extends MethodName>(method: M, data: RequestData<M>): Promise<ResultTypes[M]>;
  request<M extends MethodName>(method: M, data: RequestData<M>): Promise<ResultTypes[M]> {
    if (!this.isOpen) return Promise.reject(new SignalingClosedError('The connection is closed.'));
    const id = this.nextId++;
    return new Promise<ResultTypes[M]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingClosedError(`No answer to ${method} in time.`));
      }, this.requestTimeoutMs);
      this.pending.set(id, {
        method,
        // The server validated and typed this result per method; the map keeps the pairing.
        resolve: (d) => resolve(d as ResultTypes[M]),
        reject,
        timer,
      });
      try {
        this.ws.send(JSON.stringify({ id, method, data }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err instanceof Error ? err : new SignalingClosedError(String(err)));
      }
    });
  }

  /** Subscribes to a notification; returns the unsubscribe function. */
  on<N extends NotificationName>(name: N, handler: (data: NotificationTypes[N]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    const h = handler as AnyNotificationHandler;
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  /** Called once when the socket closes, for whatever reason. */
  onClose(handler: CloseHandler): () => void {
    this.closeHandlers.add(handler);
    return () => {
      this.closeHandlers.delete(handler);
    };
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    try {
      this.ws.close(code, reason);
    } catch {
      // Already closing; handleClose below still settles everything.
    }
    this.handleClose(code, reason);
  }

  private handleFrame(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isRecord(frame)) return;

    if (typeof frame.notification === 'string') {
      const set = this.handlers.get(frame.notification);
      if (!set) return;
      const data = isRecord(frame.data) ? frame.data : {};
      for (const h of [...set]) {
        try {
          h(data);
        } catch (err) {
          // One faulty handler must not stop the others or the socket.
          console.error(`signaling: handler for ${frame.notification} failed`, err);
        }
      }
      return;
    }

    if (typeof frame.id !== 'number' || typeof frame.ok !== 'boolean') return;
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    if (frame.ok) {
      p.resolve(isRecord(frame.data) ? frame.data : {});
    } else {
      const parsed = ErrorBody.safeParse(frame.error);
      p.reject(
        parsed.success
          ? ProtocolError.fromBody(parsed.data)
          : new ProtocolError('INTERNAL', `Malformed error answer to ${p.method}.`),
      );
    }
  }

  private handleClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SignalingClosedError(`The connection closed before ${p.method} was answered.`));
      this.pending.delete(id);
    }
    for (const h of [...this.closeHandlers]) {
      try {
        h(code, reason);
      } catch (err) {
        console.error('signaling: close handler failed', err);
      }
    }
  }
}

function closeCode(ev: CloseEventLike): number {
  return typeof ev.code === 'number' ? ev.code : 1006;
}
function closeReason(ev: CloseEventLike): string {
  return typeof ev.reason === 'string' ? ev.reason : '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
