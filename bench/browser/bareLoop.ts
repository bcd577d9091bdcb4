/**
 * The baseline page of bench/firstFrame.ts and bench/e2eeCpu.ts: plain mediasoup-client
 * against the bare server (bench/support/bareServer.ts). Two of these pages run, a sender and a
 * receiver, each in its own browser context, as two clients of a group each have their own
 * page. The receiver's transports are connected before the first measured round (as a group
 * member's is when someone new comes in); it consumes every producer the server announces,
 * resumes it and reports the first decoded video frame. The sender produces the fake camera,
 * with the participant page's constraints, either on a send transport connected in an earlier
 * round ("warm") or on a fresh one each round ("fresh": ICE and DTLS inside the round, as a
 * newcomer's).
 *
 * "Sealed" rounds (issue 19) add the product's own frame encryption and nothing else: both
 * pages hold a FrameCipher (src/client/e2ee/frameCipher.ts, its worker built by Vite beside the
 * page), given the same key with `setKey` before the first round, and attach it to the RTP
 * sender and receiver as mediasoup-client makes them (`onRtpSender` / `onRtpReceiver`), as the
 * participant page does. Sealed and plain streams use transports of their own, so a browser
 * that needs `encodedInsertableStreams` on its peer connections gets them only where sealed.
 * Times are epoch milliseconds (performance.timeOrigin + performance.now()), so the bench can
 * relate the two pages.
 */
import { Device, types } from 'mediasoup-client';
import { AUDIO_CONSTRAINTS, VIDEO_CONSTRAINTS } from '../../src/client/media';
import { FrameCipher } from '../../src/client/e2ee/frameCipher';
import { CAMERA_LAYERS } from '../../src/shared/protocol';

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
/** The product's frame cipher, once `key` has been called. */
let cipher: FrameCipher | null = null;

/** Chromium's own peer connection setting, absent from the standard RTCConfiguration type. */
const INSERTABLE_STREAMS = { encodedInsertableStreams: true } as Partial<RTCConfiguration>;

async function transport(direction: 'send' | 'recv', sealed = false): Promise<types.Transport> {
  const info = await signaling.request<types.TransportOptions>('createTransport', { direction });
  const options: types.TransportOptions = sealed && cipher?.needsInsertableStreams ? { ...info, additionalSettings: INSERTABLE_STREAMS } : info;
  const t = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  t.on('connect', ({ dtlsParameters }, ok, fail) => {
    signaling.request('connect', { transportId: t.id, dtlsParameters }).then(() => ok(), fail);
  });
  t.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    signaling.request<{ id: string }>('produce', { transportId: t.id, kind, rtpParameters }).then(ok, fail);
  });
  return t;
}

function needCipher(): FrameCipher {
  if (!cipher) throw new Error('sealed round before key()');
  return cipher;
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
let recvSealed: types.Transport | null = null;
/** Whether the producers announced from now on are sealed (the bench says so before each round). */
let receiveSealed = false;
let frameWaiter: ((at: number) => void) | null = null;
let shown: { element: HTMLMediaElement; consumer: types.Consumer }[] = [];

async function onProducer({ producerId }: { producerId: string }): Promise<void> {
  const sealed = receiveSealed;
  const t = sealed ? recvSealed! : recv;
  const c = await signaling.request<{ id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: types.RtpParameters }>('consume', {
    transportId: t.id,
    producerId,
    rtpCapabilities: device.recvRtpCapabilities,
  });
  const consumer = await t.consume({
    ...c,
    ...(sealed ? { onRtpReceiver: (receiver: RTCRtpReceiver) => needCipher().attach(receiver, { side: 'receive', kind: c.kind }) } : {}),
  });
  await signaling.request('resume', { consumerId: consumer.id });
  // A fresh element per producer, as a tile is made per person.
  const element = document.createElement(c.kind);
  element.autoplay = true;
  element.muted = c.kind === 'video';
  if (element instanceof HTMLVideoElement) element.playsInline = true;
  document.body.append(element);
  element.srcObject = new MediaStream([consumer.track]);
  shown.push({ element, consumer });
  if (!(element instanceof HTMLVideoElement)) return;
  await firstFrame(element);
  frameWaiter?.(epoch());
  frameWaiter = null;
}

// ---- sender -----------------------------------------------------------------------------

let camera: MediaStream;
const warmSend: { plain: types.Transport | null; sealed: types.Transport | null } = { plain: null, sealed: null };
let last: { producers: types.Producer[]; transport: types.Transport | null } | null = null;

const bare = {
  async connect(url: string): Promise<void> {
    signaling = await Signaling.connect(url);
    device = new Device();
    await device.load({ routerRtpCapabilities: await signaling.request<types.RtpCapabilities>('caps') });
  },

  /** Starts the page's frame worker and gives it the call's key (epoch 0), as a keyed member has it. */
  async key(raw: number[]): Promise<void> {
    cipher ??= new FrameCipher();
    await cipher.setKey(0, new Uint8Array(raw));
  },

  /** Receiver: opens the receive transports and consumes every producer announced from now on. */
  async receive(): Promise<void> {
    recv = await transport('recv');
    if (cipher) recvSealed = await transport('recv', true);
    signaling.onProducer((p) => void onProducer(p));
  },

  /** Receiver: whether what comes next is sealed. */
  expect(sealed: boolean): void {
    receiveSealed = sealed;
  },

  /** Receiver: the epoch time the next video producer's first frame decodes. */
  nextFrame(): Promise<number> {
    return new Promise((ok) => (frameWaiter = ok));
  },

  /** Receiver: drops the last round's elements and consumers. */
  forget(): void {
    for (const { element, consumer } of shown) {
      element.remove();
      consumer.close();
    }
    shown = [];
  },

  /** Sender: the camera (and microphone, for `audio`), with the participant page's constraints. */
  async openCamera(audio = false): Promise<void> {
    camera = await navigator.mediaDevices.getUserMedia({ video: VIDEO_CONSTRAINTS, audio: audio ? AUDIO_CONSTRAINTS : false });
  },

  /**
   * Sender: starts one round and returns its start time (epoch ms): the camera, then (with
   * `audio`, not timed) the microphone, each sealed if `sealed`.
   */
  async send(variant: 'warm' | 'fresh', sealed = false, audio = false): Promise<number> {
    const track = camera.getVideoTracks()[0]!.clone();
    const which = sealed ? 'sealed' : 'plain';
    const sealing = (kind: 'audio' | 'video') =>
      sealed ? { onRtpSender: (sender: RTCRtpSender) => needCipher().attach(sender, { side: 'send', kind }) } : {};
    const t0 = epoch();
    let t: types.Transport;
    if (variant === 'warm') {
      warmSend[which] ??= await transport('send', sealed);
      t = warmSend[which];
    } else {
      t = await transport('send', sealed);
    }
    // Sent as the product sends them (src/client/sending.ts): the camera in its simulcast
    // layers, the voice with Opus FEC and DTX, so the loop does the same media work.
    const producers = [await t.produce({ track, encodings: CAMERA_LAYERS.map((layer) => ({ ...layer })), ...sealing('video') })];
    last = { producers, transport: variant === 'fresh' ? t : null };
    if (audio) {
      const voice = camera.getAudioTracks()[0]!.clone();
      producers.push(await t.produce({ track: voice, codecOptions: { opusFec: true, opusDtx: true, opusNack: true }, ...sealing('audio') }));
    }
    return t0;
  },

  /** Receiver: what its video consumers have decoded so far (frames, bytes), summed. */
  async videoReceived(): Promise<{ frames: number; bytes: number; width: number }> {
    const total = { frames: 0, bytes: 0, width: 0 };
    for (const { consumer } of shown) {
      if (consumer.kind !== 'video') continue;
      (await consumer.getStats()).forEach((s: { type: string; framesDecoded?: number; bytesReceived?: number; frameWidth?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        total.frames += s.framesDecoded ?? 0;
        total.bytes += s.bytesReceived ?? 0;
        total.width = Math.max(total.width, s.frameWidth ?? 0);
      });
    }
    return total;
  },

  /** Frames sealed, opened and dropped by this page's cipher so far. */
  counts(): Promise<{ sealed: number; opened: number; dropped: number }> {
    return needCipher().counts();
  },

  /** Sender: closes the last round's producers (and their transport, if fresh). */
  async stop(): Promise<void> {
    if (!last) return;
    const { producers, transport: t } = last;
    last = null;
    for (const producer of producers) {
      producer.close();
      producer.track?.stop();
      await signaling.request('closeProducer', { producerId: producer.id });
    }
    if (t) {
      t.close();
      await signaling.request('closeTransport', { transportId: t.id });
    }
  },
};

(window as unknown as { bare: typeof bare }).bare = bare;
