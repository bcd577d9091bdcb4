/**
 * The baseline for admit → first frame: the bare mediasoup path in the same browser.
 * Two admitted peers in one page; each round one of them starts sending the fake camera
 * over a fresh send transport and the other consumes it, resumes, and waits for the first
 * decoded frame. No UI, no store, no admission, no notifications: only
 * transport → produce → consume → frame.
 */
import { Device, types } from 'mediasoup-client';
import { SignalingClient } from '../../src/client/signaling';
import type { NotificationTypes, ParticipantHelloResult, TransportInfo } from '../../src/shared/protocol';

interface Peer {
  signaling: SignalingClient;
  device: Device;
  participantId: string;
}

async function joinAndWait(wsUrl: string, invite: string, passcode: string, name: string): Promise<Peer> {
  const signaling = await SignalingClient.connect(wsUrl);
  const hello = (await signaling.request('hello', { as: 'participant', invite, passcode })) as ParticipantHelloResult;
  const admitted = new Promise<NotificationTypes['admitted']>((ok) => signaling.on('admitted', ok));
  await signaling.request('checkIn', {
    displayName: name,
    agreementVersion: hello.agreement.version,
    media: { audio: false, video: true },
  });
  const { routerRtpCapabilities } = await admitted;
  const device = new Device();
  await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
  return { signaling, device, participantId: hello.participantId };
}

async function transport(peer: Peer, direction: 'send' | 'recv'): Promise<types.Transport> {
  const info: TransportInfo = await peer.signaling.request('createTransport', { direction });
  const options = {
    id: info.id,
    iceParameters: info.iceParameters as unknown as types.IceParameters,
    iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
    dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
  };
  const t = direction === 'send' ? peer.device.createSendTransport(options) : peer.device.createRecvTransport(options);
  t.on('connect', ({ dtlsParameters }, ok, fail) => {
    peer.signaling
      .request('connectTransport', { transportId: t.id, dtlsParameters: dtlsParameters as never })
      .then(() => ok(), fail);
  });
  t.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    peer.signaling
      .request('produce', { transportId: t.id, kind, rtpParameters: rtpParameters as never })
      .then(({ id }) => ok({ id }), fail);
  });
  return t;
}

function firstFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((ok) => {
    const check = () => (video.videoWidth > 0 ? ok() : requestAnimationFrame(check));
    check();
  });
}

let a: Peer;
let b: Peer;

const bare = {
  /** Both peers check in; resolves once the facilitator has admitted both. */
  async join(wsUrl: string, first: [string, string], second: [string, string]): Promise<void> {
    [a, b] = await Promise.all([
      joinAndWait(wsUrl, first[0], first[1], 'Bench A'),
      joinAndWait(wsUrl, second[0], second[1], 'Bench B'),
    ]);
  },
  /**
   * Milliseconds from a peer starting to send (a fresh send transport, its ICE and DTLS,
   * produce) to the other peer's first decoded frame (consume, resume, decode), per round:
   * the least mediasoup itself needs for a newly arriving sender to be seen. The receiving
   * side is connected already, as the console is when it admits someone: one round per side
   * runs first, unmeasured, to connect each receive transport. The peers take turns; each
   * round's send transport is closed on the server afterwards (`closeTransport`), since a
   * peer may hold 4 at a time.
   */
  async measure(rounds: number): Promise<number[]> {
    const sides = [
      { from: a, to: b, recv: await transport(b, 'recv') },
      { from: b, to: a, recv: await transport(a, 'recv') },
    ];
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
    const times: number[] = [];
    const warmUp = sides.length;
    for (let i = 0; i < warmUp + rounds; i++) {
      const { from, to, recv } = sides[i % 2]!;
      const track = camera.getVideoTracks()[0]!.clone();
      const t0 = performance.now();
      const send = await transport(from, 'send');
      const producer = await send.produce({ track });
      const c = await to.signaling.request('consume', {
        transportId: recv.id,
        producerId: producer.id,
        rtpCapabilities: to.device.recvRtpCapabilities as never,
      });
      const consumer = await recv.consume({
        id: c.id,
        producerId: c.producerId,
        kind: c.kind,
        rtpParameters: c.rtpParameters as unknown as types.RtpParameters,
      });
      await to.signaling.request('resumeConsumer', { consumerId: consumer.id });
      // A fresh element per round, as the console makes a fresh tile per person.
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true;
      video.playsInline = true;
      document.body.append(video);
      video.srcObject = new MediaStream([consumer.track]);
      await firstFrame(video);
      if (i >= warmUp) times.push(performance.now() - t0);
      video.remove();
      consumer.close();
      producer.close();
      send.close();
      await from.signaling.request('closeTransport', { transportId: send.id });
      track.stop();
      // Let the decoder forget the last stream so every round starts cold.
      await new Promise((r) => setTimeout(r, 200));
    }
    camera.getTracks().forEach((t) => t.stop());
    return times;
  },
};

(window as unknown as { bare: typeof bare }).bare = bare;
