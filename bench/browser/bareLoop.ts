/**
 * The baseline page of bench/firstFrame.ts: plain mediasoup-client against the bare server
 * (bench/support/bareServer.ts). Two of these pages run, a sender and a receiver, each in its
 * own browser context, as two clients of a group each have their own page. The receiver's
 * transport is connected before the first measured round (as a group member's is when someone
 * new comes in); it consumes every producer the server announces, resumes it and reports the
 * first decoded frame. The sender produces the fake camera, with the participant page's
 * constraints, either on a send transport connected in an earlier round ("warm") or on a
 * fresh one each round ("fresh": ICE and DTLS inside the round, as a newcomer's).
 * Times are epoch milliseconds (performance.timeOrigin + performance.now()), so the bench can
 * relate the two pages.
 */
import { Device, types } from 'mediasoup-client';
import { VIDEO_CONSTRAINTS } from '../../src/client/media';

const epoch = (): number => performance.timeOrigin + performance.now();

class Signaling {
  private nextId = 1;
  private readonly pending = new Map<number, { ok: (d: unknown) => void; fail: (e: Error) => void }>();
  private readonly listeners: ((data: { producerId: string }) => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as { id?: number; ok?: boolean; data?: unknown; error?: { message: string }; notification?: string };
      if (frame.notification === 'producerAdded') {
        for (const l of this.listeners) l(frame.data as { producerId: string });
        return;
      }
      const p = this.pending.get(frame.id ?? -1);
      if (!p) return;
      this.pending.delete(frame.id!);
      if (frame.ok) p.ok(frame.data);
      else p.fail(new Error(frame.error?.message ?? 'failed'));
    };
  }

  static connect(url: string): Promise<Signaling> {
    return new Promise((ok, fail) => {
      const ws = new WebSocket(url);
      ws.onopen = () => ok(new Signaling(ws));
      ws.onerror = () => fail(new Error('socket failed'));
    });
  }

  request<T>(method: string, data: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, { ok: ok as (d: unknown) => void, fail });
      this.ws.send(JSON.stringify({ id, method, data }));
    });
  }

  onProducer(listener: (data: { producerId: string }) => void): void {
    this.listeners.push(listener);
  }
}

let signaling: Signaling;
let device: Device;

async function transport(direction: 'send' | 'recv'): Promise<types.Transport> {
  const info = await signaling.request<types.TransportOptions>('createTransport', { direction });
  const t = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
  t.on('connect', ({ dtlsParameters }, ok, fail) => {
    signaling.request('connect', { transportId: t.id, dtlsParameters }).then(() => ok(), fail);
  });
  t.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    signaling.request<{ id: string }>('produce', { transportId: t.id, kind, rtpParameters }).then(ok, fail);
  });
  return t;
}

function firstFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((ok) => {
    const check = (): void => {
      if (video.videoWidth > 0) ok();
      else requestAnimationFrame(check);
    };
    check();
  });
}

// ---- receiver ---------------------------------------------------------------------------

let recv: types.Transport;
let frameWaiter: ((at: number) => void) | null = null;
let shown: { video: HTMLVideoElement; consumer: types.Consumer } | null = null;

async function onProducer({ producerId }: { producerId: string }): Promise<void> {
  const c = await signaling.request<{ id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: types.RtpParameters }>('consume', {
    transportId: recv.id,
    producerId,
    rtpCapabilities: device.recvRtpCapabilities,
  });
  const consumer = await recv.consume(c);
  await signaling.request('resume', { consumerId: consumer.id });
  // A fresh element per producer, as a tile is made per person.
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  video.playsInline = true;
  document.body.append(video);
  video.srcObject = new MediaStream([consumer.track]);
  await firstFrame(video);
  shown = { video, consumer };
  frameWaiter?.(epoch());
  frameWaiter = null;
}

// ---- sender -----------------------------------------------------------------------------

let camera: MediaStream;
let warmSend: types.Transport | null = null;
let last: { producer: types.Producer; transport: types.Transport | null } | null = null;

const bare = {
  async connect(url: string): Promise<void> {
    signaling = await Signaling.connect(url);
    device = new Device();
    await device.load({ routerRtpCapabilities: await signaling.request<types.RtpCapabilities>('caps') });
  },

  /** Receiver: opens the receive transport and consumes every producer announced from now on. */
  async receive(): Promise<void> {
    recv = await transport('recv');
    signaling.onProducer((p) => void onProducer(p));
  },

  /** Receiver: the epoch time the next producer's first frame decodes. */
  nextFrame(): Promise<number> {
    return new Promise((ok) => (frameWaiter = ok));
  },

  /** Receiver: drops the last round's element and consumer. */
  forget(): void {
    shown?.video.remove();
    shown?.consumer.close();
    shown = null;
  },

  /** Sender: the camera, with the participant page's constraints. */
  async openCamera(): Promise<void> {
    camera = await navigator.mediaDevices.getUserMedia({ video: VIDEO_CONSTRAINTS, audio: false });
  },

  /** Sender: starts one round and returns its start time (epoch ms). */
  async send(variant: 'warm' | 'fresh'): Promise<number> {
    const track = camera.getVideoTracks()[0]!.clone();
    const t0 = epoch();
    let t: types.Transport;
    if (variant === 'warm') {
      warmSend ??= await transport('send');
      t = warmSend;
    } else {
      t = await transport('send');
    }
    const producer = await t.produce({ track });
    last = { producer, transport: variant === 'fresh' ? t : null };
    return t0;
  },

  /** Sender: closes the last round's producer (and its transport, if fresh). */
  async stop(): Promise<void> {
    if (!last) return;
    const { producer, transport: t } = last;
    last = null;
    producer.close();
    producer.track?.stop();
    await signaling.request('closeProducer', { producerId: producer.id });
    if (t) {
      t.close();
      await signaling.request('closeTransport', { transportId: t.id });
    }
  },
};

(window as unknown as { bare: typeof bare }).bare = bare;
