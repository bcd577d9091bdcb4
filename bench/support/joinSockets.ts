/**
 * The sockets of bench/join.ts's clients process: opening one from a client's own loopback
 * address, the frames a burst sends (the same for the product and the echo), requests and
 * their answers, and the moment a notification arrives.
 */
import WebSocket from 'ws';

/** The i-th client's own loopback address: 127.0.1.1, 127.0.1.2, … 127.0.1.250, 127.0.2.1, … */
export function clientAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export function open(url: string, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
  });
}

export interface Frame {
  id?: number;
  ok?: boolean;
  method?: string;
  data?: Record<string, unknown>;
  error?: { code: string; message: string };
  notification?: string;
}
export const parse = (raw: WebSocket.RawData): Frame => JSON.parse(String(raw)) as Frame;

/** The frame answering request `id` on a socket; rejects on an error answer. */
export function answerTo(ws: WebSocket, id: number, frame: string): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: WebSocket.RawData): void => {
      const f = parse(raw);
      if (f.id !== id) return;
      ws.off('message', onMessage);
      if (f.error || f.ok === false) reject(new Error(`request ${id} failed: ${f.error?.code ?? '?'} ${f.error?.message ?? ''}`));
      else resolve(f);
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}

/** One request (frame `frame`, id `id`) on a socket; its answer's data. */
export async function requestFrame(ws: WebSocket, id: number, frame: string): Promise<Record<string, unknown>> {
  const f = await answerTo(ws, id, frame);
  if (!f.ok || !f.data) throw new Error(`request ${id} answered without data`);
  return f.data;
}

export const request = (ws: WebSocket, id: number, method: string, data: unknown): Promise<Record<string, unknown>> =>
  requestFrame(ws, id, JSON.stringify({ id, method, data }));

/** What the burst sends: the same frames for the product and the echo. */
export const helloFrame = (invite: string, passcode: string): string =>
  JSON.stringify({ id: 1, method: 'hello', data: { as: 'participant', invite, passcode } });
export const checkInFrame = (agreementVersion: string): string =>
  JSON.stringify({ id: 2, method: 'checkIn', data: { displayName: 'Bench', agreementVersion, media: { audio: true, video: true } } });
export const admitFrame = (id: number, participantId: string): string => JSON.stringify({ id, method: 'admit', data: { participantId } });
export const admitAllFrame = (id: number): string => JSON.stringify({ id, method: 'admitAll', data: {} });

/** When something arrived (performance.now()), once it has. */
export interface Arrival {
  readonly at: Promise<number>;
  mark(): void;
}

export function arrival(): Arrival {
  let resolve!: (at: number) => void;
  let marked = false;
  const at = new Promise<number>((r) => (resolve = r));
  return {
    at,
    mark() {
      if (marked) return;
      marked = true;
      resolve(performance.now());
    },
  };
}

/** `promise`, or a rejection naming `what` after `ms`: a stuck burst ends the run, not hangs it. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
