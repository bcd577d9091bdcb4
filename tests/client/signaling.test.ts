/**
 * SignalingClient against a real `ws` server on loopback: the server here is a scripted
 * stand-in that answers by method name, so each test pins one behaviour of the client.
 */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { ProtocolError, type ClinicianHelloResult, type ParticipantHelloResult, type ResultTypes } from '../../src/shared/protocol';
import { SignalingClient, SignalingClosedError } from '../../src/client/signaling';

type Script = (socket: ServerSocket, frame: { id: number; method: string; data: unknown }) => void;

let wss: WebSocketServer;
let url: string;
let script: Script;
let serverSocket: ServerSocket | null;
const clients: SignalingClient[] = [];

beforeEach(async () => {
  script = () => undefined;
  serverSocket = null;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
  wss.on('connection', (socket) => {
    serverSocket = socket;
    socket.on('message', (raw) => script(socket, JSON.parse(String(raw)) as Parameters<Script>[1]));
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

async function connect(requestTimeoutMs?: number): Promise<SignalingClient> {
  const c = await SignalingClient.connect(url, { WebSocketImpl: WebSocket, requestTimeoutMs });
  clients.push(c);
  return c;
}

const ok = (socket: ServerSocket, id: number, data: unknown) => socket.send(JSON.stringify({ id, ok: true, data }));

describe('SignalingClient', () => {
  it('matches responses to requests by id, even out of order', async () => {
    const held: { socket: ServerSocket; id: number; method: string }[] = [];
    script = (socket, f) => {
      held.push({ socket, id: f.id, method: f.method });
      if (held.length === 2) {
        // Answer the second request first.
        for (const h of [...held].reverse()) ok(h.socket, h.id, { echo: h.method, id: h.id });
      }
    };
    const c = await connect();
    const a = c.request('leave', {});
    const b = c.request('createTransport', { direction: 'recv' });
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toEqual({ echo: 'leave', id: 1 });
    expect(rb).toEqual({ echo: 'createTransport', id: 2 });
  });

  it('sends the method and data as the protocol frames them, with incrementing ids', async () => {
    const seen: unknown[] = [];
    script = (socket, f) => {
      seen.push(f);
      ok(socket, f.id, {});
    };
    const c = await connect();
    await c.request('hello', { as: 'participant', invite: 'tok', passcode: '1234' });
    await c.request('leave', {});
    expect(seen).toEqual([
      { id: 1, method: 'hello', data: { as: 'participant', invite: 'tok', passcode: '1234' } },
      { id: 2, method: 'leave', data: {} },
    ]);
  });

  it('rejects with a ProtocolError carrying the code and message of an error answer', async () => {
    script = (socket, f) =>
      socket.send(JSON.stringify({ id: f.id, ok: false, error: { code: 'UNAUTHENTICATED', message: 'nope' } }));
    const c = await connect();
    const err = await c.request('hello', { as: 'participant', invite: 'x', passcode: 'y' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', message: 'nope' });
    // The socket stays usable for another try.
    script = (socket, f) => ok(socket, f.id, { state: 'waiting' });
    await expect(c.request('checkIn', checkIn())).resolves.toEqual({ state: 'waiting' });
  });

  it('turns a malformed error answer into INTERNAL rather than trusting it', async () => {
    script = (socket, f) => socket.send(JSON.stringify({ id: f.id, ok: false, error: { code: 'WHATEVER' } }));
    const c = await connect();
    await expect(c.request('leave', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('dispatches notifications by name until unsubscribed', async () => {
    const c = await connect();
    const got: unknown[] = [];
    const off = c.on('peerLeft', (d) => got.push(d.participantId));
    c.on('denied', () => got.push('denied'));
    serverSocket!.send(JSON.stringify({ notification: 'peerLeft', data: { participantId: 'p1' } }));
    serverSocket!.send(JSON.stringify({ notification: 'denied', data: {} }));
    await waitFor(() => got.length === 2);
    off();
    serverSocket!.send(JSON.stringify({ notification: 'peerLeft', data: { participantId: 'p2' } }));
    serverSocket!.send(JSON.stringify({ notification: 'denied', data: {} }));
    await waitFor(() => got.length === 3);
    expect(got).toEqual(['p1', 'denied', 'denied']);
  });

  it('ignores junk frames and keeps working', async () => {
    script = (socket, f) => {
      for (const junk of ['not json', '42', 'null', '[1,2]', '"str"', '{"id":"1","ok":true}', '{"id":999,"ok":true}']) {
        socket.send(junk);
      }
      socket.send(Buffer.from([1, 2, 3]));
      socket.send(JSON.stringify({ notification: 'peerLeft', data: 'not an object' }));
      socket.send(JSON.stringify({ notification: 'noSuchThing', data: {} }));
      ok(socket, f.id, { fine: true });
    };
    const c = await connect();
    const notes: unknown[] = [];
    c.on('peerLeft', (d) => notes.push(d));
    await expect(c.request('leave', {})).resolves.toEqual({ fine: true });
    // A notification with non-object data is delivered as an empty object, never as junk.
    expect(notes).toEqual([{}]);
    expect(c.isOpen).toBe(true);
  });

  it('rejects every pending request when the socket closes, and reports the close', async () => {
    script = () => undefined; // never answers
    const c = await connect();
    const closed = new Promise<[number, string]>((resolve) => c.onClose((code, reason) => resolve([code, reason])));
    const a = c.request('leave', {}).catch((e: unknown) => e);
    const b = c.request('createTransport', { direction: 'send' }).catch((e: unknown) => e);
    await waitFor(() => serverSocket !== null);
    serverSocket!.close(4000, 'bye');
    expect(await a).toBeInstanceOf(SignalingClosedError);
    expect(await b).toBeInstanceOf(SignalingClosedError);
    expect(await closed).toEqual([4000, 'bye']);
    await expect(c.request('leave', {})).rejects.toBeInstanceOf(SignalingClosedError);
  });

  it('fails a request that gets no answer in time', async () => {
    script = () => undefined;
    const c = await connect(100);
    await expect(c.request('leave', {})).rejects.toThrow(/in time/);
  });

  it('a late answer to a timed-out request is ignored', async () => {
    let first = true;
    script = (socket, f) => {
      if (first) {
        first = false;
        setTimeout(() => ok(socket, f.id, { late: true }), 200);
      } else ok(socket, f.id, { second: true });
    };
    const c = await connect(100);
    await expect(c.request('leave', {})).rejects.toThrow(/in time/);
    await new Promise((r) => setTimeout(r, 150));
    await expect(c.request('leave', {})).resolves.toEqual({ second: true });
  });

  it("types each answer by its method, and a hello's by what it presented, so callers need no casts", async () => {
    script = (socket, f) => ok(socket, f.id, {});
    const c = await connect();
    // The stand-in answers `{}`; what is pinned here is the type-checker's view (npm run typecheck).
    expectTypeOf(await c.request('hello', { as: 'clinician', ticket: 't', sessionId: 's' })).toEqualTypeOf<ClinicianHelloResult>();
    expectTypeOf(await c.request('hello', { as: 'participant', invite: 'i', passcode: 'p' })).toEqualTypeOf<ParticipantHelloResult>();
    expectTypeOf(await c.request('hello', { as: 'resume', resumeToken: 'r' })).toEqualTypeOf<ParticipantHelloResult>();
    expectTypeOf(await c.request('consume', { transportId: 't', producerId: 'p', rtpCapabilities: {} })).toEqualTypeOf<
      ResultTypes['consume']
    >();
    expectTypeOf<ResultTypes['consume']['kind']>().toEqualTypeOf<'audio' | 'video'>();
  });

  it('connect rejects when nothing listens', async () => {
    const port = (wss.address() as AddressInfo).port;
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    wss = new WebSocketServer({ noServer: true });
    await expect(
      SignalingClient.connect(`ws://127.0.0.1:${port}/ws`, { WebSocketImpl: WebSocket }),
    ).rejects.toBeInstanceOf(SignalingClosedError);
  });
});

function checkIn() {
  return { displayName: 'Sam', agreementVersion: '1', media: { audio: true, video: false } };
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
