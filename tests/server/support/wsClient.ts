/** A small WebSocket client for protocol tests: requests with ids, notifications, raw frames. */
import WebSocket, { type ClientOptions } from 'ws';
import type { ErrorCode, MethodName, NotificationName, NotificationTypes } from '../../../src/shared/protocol.js';

export type Response =
  | { id: number | null; ok: true; data: Record<string, unknown> }
  | { id: number | null; ok: false; error: { code: ErrorCode; message: string; host?: string } };

interface Notification {
  notification: NotificationName;
  data: Record<string, unknown>;
}

type Waiter<T> = { match: (v: T) => boolean; resolve: (v: T) => void };

export class TestClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Response) => void>();
  /** Responses with `id: null` (answers to frames that were not requests), in order. */
  readonly nullResponses: Response[] = [];
  private nullWaiters: ((r: Response) => void)[] = [];
  readonly notifications: Notification[] = [];
  private waiters: Waiter<Notification>[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Response | Notification;
      if ('notification' in frame) {
        this.notifications.push(frame);
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(frame)) return true;
          w.resolve(frame);
          return false;
        });
      } else if (frame.id === null) {
        const waiter = this.nullWaiters.shift();
        if (waiter) waiter(frame);
        else this.nullResponses.push(frame);
      } else {
        this.pending.get(frame.id)?.(frame);
        this.pending.delete(frame.id);
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
    });
  }

  /** `options`: ws's, e.g. `autoPong: false` for a client whose link has silently gone. */
  static connect(url: string, options?: ClientOptions): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  request(method: MethodName | string, data?: unknown): Promise<Response> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${method}`)), 10_000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(JSON.stringify(data === undefined ? { id, method } : { id, method, data }));
    });
  }

  /** Sends a request and returns its data, failing the test on an error response. */
  async call(method: MethodName, data?: unknown): Promise<Record<string, unknown>> {
    const r = await this.request(method, data);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.data;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  nextNullResponse(): Promise<Response> {
    const queued = this.nullResponses.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.nullWaiters.push(resolve));
  }

  waitFor<N extends NotificationName>(
    name: N,
    match: (data: NotificationTypes[N]) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<NotificationTypes[N]> {
    const seen = this.notifications.find(
      (n) => n.notification === name && match(n.data as unknown as NotificationTypes[N]),
    );
    if (seen) return Promise.resolve(seen.data as unknown as NotificationTypes[N]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} notification`)), timeoutMs);
      this.waiters.push({
        match: (n) => n.notification === name && match(n.data as unknown as NotificationTypes[N]),
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n.data as unknown as NotificationTypes[N]);
        },
      });
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close();
    return this.closed;
  }
}
