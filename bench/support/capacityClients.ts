/**
 * The load generator of bench/capacity.ts, in a process of its own (pinned by the driver to a
 * core the server under test is not on, where there is one): groups of eight simulated
 * clients, each with a signaling socket from a loopback address of its own, a send and a
 * receive WebRTC transport (support/capacityPeer.ts: real ICE and DTLS-SRTP), an audio and a
 * video producer, and a consumer of each of the other seven's two producers.
 *
 * In Confidant's case each group is a live session: a facilitator's socket (signaling only:
 * it admits each knock and sends no media) and eight participants who say hello with their
 * invitation, check in and, once admitted, produce and consume. In the bare baseline's case
 * each client says `hello {group}` and goes straight to its transports. Everything after
 * admission is the same choreography on both.
 *
 * One timer drives every stream: audio every 20 ms, video every 1/30 s, each client's phase
 * random so packets do not leave in lockstep; a packet more than 20 ms late is skipped and
 * counted, the sign that the generator, not the server, is the limit.
 */
import WebSocket from 'ws';
import type { RtpCapabilities } from '../../src/shared/protocol.js';
import { clinicianHello } from '../../tests/support/clinicianHello.js';
import type { ClientsToDriver, DriverToClients, GeneratorCounters, GroupTarget } from './capacityMessages.js';
import { AudioStream, EXT, newCounters, PeerTransport, VideoStream } from './capacityPeer.js';

const send = (m: ClientsToDriver): void => {
  process.send?.(m);
};

const counters: GeneratorCounters = { ...newCounters(), rtpDue: 0, rtpSkipped: 0 };

/** A signaling socket: requests with ids, and notifications by name. */
class Signal {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (d: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, (data: Record<string, unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as {
        id?: number | null;
        ok?: boolean;
        data?: Record<string, unknown>;
        error?: { code: string; message: string };
        notification?: string;
      };
      if (frame.notification !== undefined) {
        this.listeners.get(frame.notification)?.(frame.data ?? {});
        return;
      }
      if (typeof frame.id !== 'number') return;
      const waiter = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (!waiter) return;
      if (frame.ok) waiter.resolve(frame.data ?? {});
      else waiter.reject(new Error(`${frame.error?.code ?? 'ERROR'}: ${frame.error?.message ?? ''}`));
    });
  }

  static open(url: string, localAddress: string): Promise<Signal> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
      ws.once('open', () => resolve(new Signal(ws)));
      ws.once('error', reject);
    });
  }

  call(method: string, data?: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method}`));
      }, 30_000);
      this.pending.set(id, {
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(new Error(`${method} failed: ${e.message}`));
        },
      });
      this.ws.send(JSON.stringify(data === undefined ? { id, method } : { id, method, data }));
    });
  }

  on(notification: string, listener: (data: Record<string, unknown>) => void): void {
    this.listeners.set(notification, listener);
  }

  close(): void {
    this.ws.close();
  }
}

/** One loopback address per client (127.0.x.y), as clients at home each have their own. */
let addresses = 0;
function nextAddress(): string {
  const i = addresses++;
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

interface Client {
  /** The group's index, as the driver numbers groups. */
  group: number;
  signal: Signal;
  address: string;
  caps: RtpCapabilities;
  sendTransport?: PeerTransport;
  recvTransport?: PeerTransport;
  audio?: AudioStream;
  video?: VideoStream;
  producerIds: string[];
  nextAudioAt: number;
  nextVideoAt: number;
}

const clients: Client[] = [];
const signals: Signal[] = [];
const transports: PeerTransport[] = [];
/** The groups that send: all, or those listed. */
let sending: Set<number> | 'all' = 'all';
const sends = (c: Client): boolean => sending === 'all' || sending.has(c.group);

type Codec = NonNullable<RtpCapabilities['codecs']>[number] & {
  preferredPayloadType?: number;
  clockRate?: number;
  channels?: number;
  rtcpFeedback?: { type: string; parameter?: string }[];
};
type HeaderExtension = NonNullable<RtpCapabilities['headerExtensions']>[number];

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

function codecOf(caps: RtpCapabilities, mimeType: string): Codec {
  const codec = ((caps.codecs ?? []) as Codec[]).find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (codec?.preferredPayloadType === undefined) throw new Error(`the router has no ${mimeType}`);
  return codec;
}

/**
 * What a browser's mediasoup-client sends to produce: the router's codec and payload type,
 * the header extensions Chrome sends (mid, transport-cc, audio level or abs-send-time), and
 * our stream's SSRC. The packets carry transport-cc and audio level or abs-send-time.
 */
function rtpParameters(kind: 'audio' | 'video', caps: RtpCapabilities, ssrc: number): Record<string, unknown> {
  const codec = codecOf(caps, kind === 'audio' ? 'audio/opus' : 'video/VP8');
  return {
    mid: kind === 'audio' ? '0' : '1',
    codecs: [
      {
        mimeType: codec.mimeType,
        payloadType: codec.preferredPayloadType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
        parameters: kind === 'audio' ? { minptime: 10, useinbandfec: 1 } : {},
        rtcpFeedback:
          kind === 'audio'
            ? [{ type: 'transport-cc', parameter: '' }]
            : [
                { type: 'goog-remb', parameter: '' },
                { type: 'transport-cc', parameter: '' },
                { type: 'ccm', parameter: 'fir' },
                { type: 'nack', parameter: '' },
                { type: 'nack', parameter: 'pli' },
              ],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: EXT.mid, encrypt: false, parameters: {} },
      { uri: TRANSPORT_CC, id: EXT.transportCc, encrypt: false, parameters: {} },
      kind === 'audio'
        ? { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: EXT.audioLevel, encrypt: false, parameters: {} }
        : { uri: ABS_SEND_TIME, id: EXT.absSendTime, encrypt: false, parameters: {} },
    ],
    encodings: [{ ssrc, ...(kind === 'audio' ? { dtx: false } : {}) }],
    rtcp: { cname: `capacity-${ssrc}`, reducedSize: true },
  };
}

/**
 * The receiving side's capabilities: the router's, less congestion control (transport-cc,
 * abs-send-time, REMB). Our receivers send no feedback, and a worker that estimated bandwidth
 * for them would only see it collapse and pad the links with probes.
 */
function receiveCaps(caps: RtpCapabilities): RtpCapabilities {
  return {
    ...caps,
    codecs: ((caps.codecs ?? []) as Codec[]).map((c) => ({
      ...c,
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb'),
    })),
    headerExtensions: (caps.headerExtensions ?? []).filter((h: HeaderExtension) => h.uri !== TRANSPORT_CC && h.uri !== ABS_SEND_TIME),
  } as RtpCapabilities;
}

async function openTransport(client: Client, direction: 'send' | 'recv'): Promise<PeerTransport> {
  const created = await client.signal.call('createTransport', { direction });
  const transport = await PeerTransport.open(created as unknown as Parameters<typeof PeerTransport.open>[0], client.address, counters, async (dtlsParameters) => {
    await client.signal.call('connectTransport', { transportId: created.id, dtlsParameters });
  });
  transports.push(transport);
  return transport;
}

/** Send transport, audio and video producers. */
async function produce(client: Client): Promise<void> {
  const transport = await openTransport(client, 'send');
  client.sendTransport = transport;
  const audio = new AudioStream(transport, codecOf(client.caps, 'audio/opus').preferredPayloadType!);
  const video = new VideoStream(transport, codecOf(client.caps, 'video/VP8').preferredPayloadType!);
  transport.onKeyFrameRequest = (ssrc) => {
    if (ssrc === video.ssrc) video.requestKeyFrame();
  };
  for (const [kind, stream] of [
    ['audio', audio],
    ['video', video],
  ] as const) {
    const produced = await client.signal.call('produce', { transportId: transport.id, kind, rtpParameters: rtpParameters(kind, client.caps, stream.ssrc) });
    client.producerIds.push(String(produced.id));
  }
  client.audio = audio;
  client.video = video;
}

/** Starts a client's streams now, each at a random phase so packets do not leave in lockstep. */
function startStreams(client: Client): void {
  const now = performance.now();
  client.nextAudioAt = now + Math.random() * AudioStream.INTERVAL_MS;
  client.nextVideoAt = now + Math.random() * VideoStream.FRAME_INTERVAL_MS;
}

/** Receive transport, and a consumer (resumed) of each producer in `producerIds`. */
async function consumeAll(client: Client, producerIds: string[]): Promise<void> {
  const transport = await openTransport(client, 'recv');
  client.recvTransport = transport;
  const caps = receiveCaps(client.caps);
  await Promise.all(
    producerIds.map(async (producerId) => {
      const consumer = await client.signal.call('consume', { transportId: transport.id, producerId, rtpCapabilities: caps });
      await client.signal.call('resumeConsumer', { consumerId: consumer.id });
    }),
  );
}

/** A group's eight clients, admitted (Confidant) or greeted (bare), with their router's capabilities. */
async function join(index: number, target: GroupTarget): Promise<Client[]> {
  const blank = (signal: Signal, address: string, caps: RtpCapabilities): Client => ({
    group: index,
    signal,
    address,
    caps,
    producerIds: [],
    nextAudioAt: Infinity,
    nextVideoAt: Infinity,
  });
  if (target.mode === 'bare') {
    return Promise.all(
      Array.from({ length: 8 }, async () => {
        const address = nextAddress();
        const signal = await Signal.open(target.wsUrl, address);
        signals.push(signal);
        const hello = await signal.call('hello', { group: target.group });
        return blank(signal, address, hello.routerRtpCapabilities as RtpCapabilities);
      }),
    );
  }
  const facilitator = await Signal.open(target.wsUrl, nextAddress());
  signals.push(facilitator);
  await facilitator.call('hello', await clinicianHello(target.httpUrl, target.token, target.seed.sessionId));
  facilitator.on('knock', (data) => {
    const participantId = (data.participant as { participantId: string }).participantId;
    facilitator.call('admit', { participantId }).catch((err: unknown) => process.stderr.write(`admit failed: ${String(err)}\n`));
  });
  return Promise.all(
    target.seed.invitations.map(async (inv) => {
      const address = nextAddress();
      const signal = await Signal.open(target.wsUrl, address);
      signals.push(signal);
      const admitted = new Promise<RtpCapabilities>((resolve) => signal.on('admitted', (data) => resolve(data.routerRtpCapabilities as RtpCapabilities)));
      const hello = await signal.call('hello', { as: 'participant', invite: inv.token, passcode: inv.passcode });
      await signal.call('checkIn', {
        displayName: 'Capacity',
        agreementVersion: (hello.agreement as { version: string }).version,
        media: { audio: true, video: true },
      });
      return blank(signal, address, await admitted);
    }),
  );
}

async function addGroup(index: number, target: GroupTarget): Promise<void> {
  const started = performance.now();
  const group = await join(index, target);
  await Promise.all(group.map((c) => produce(c)));
  await Promise.all(group.map((c) => consumeAll(c, group.filter((o) => o !== c).flatMap((o) => o.producerIds))));
  for (const c of group) startStreams(c);
  clients.push(...group);
  const srtpProfiles = [...new Set(group.flatMap((c) => [c.sendTransport?.srtpProfile, c.recvTransport?.srtpProfile]).filter((p): p is number => p !== undefined))];
  send({ type: 'groupReady', index, setupMs: performance.now() - started, srtpProfiles });
}

/**
 * How late a packet may be before it is skipped rather than sent in a burst: a generator held
 * up for longer would otherwise flood a worker's socket with a backlog no set of independent
 * clients would send at once.
 */
const LATE_MS = 20;

function pump(): void {
  const now = performance.now();
  for (const c of clients) {
    const { audio, video } = c;
    if (!audio || !video || !sends(c)) continue;
    while (c.nextAudioAt <= now) {
      counters.rtpDue++;
      if (now - c.nextAudioAt > LATE_MS) counters.rtpSkipped++;
      else audio.tick();
      c.nextAudioAt += AudioStream.INTERVAL_MS;
    }
    while (c.nextVideoAt <= now) {
      counters.rtpDue++;
      if (now - c.nextVideoAt > LATE_MS) counters.rtpSkipped++;
      else video.tick(now);
      c.nextVideoAt += VideoStream.FRAME_INTERVAL_MS;
    }
  }
}

const timer = setInterval(pump, 5);

process.on('message', (m: DriverToClients) => {
  switch (m.type) {
    case 'group':
      addGroup(m.index, m.target).catch((err: unknown) =>
        send({ type: 'groupReady', index: m.index, setupMs: 0, srtpProfiles: [], error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
      break;
    case 'sending': {
      const before = new Set(clients.filter(sends));
      sending = m.groups === 'all' ? 'all' : new Set(m.groups);
      // A group that starts again picks up where the schedule stands now, rather than owing the paused packets.
      for (const c of clients) if (sends(c) && !before.has(c)) startStreams(c);
      break;
    }
    case 'counters':
      send({ type: 'counters', counters: { ...counters } });
      break;
    case 'close':
      clearInterval(timer);
      for (const s of signals) s.close();
      void Promise.all(transports.map((t) => t.close())).then(() => {
        send({ type: 'closed' });
        process.exit(0);
      });
      break;
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', pid: process.pid });
