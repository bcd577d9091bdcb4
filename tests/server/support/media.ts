/** Protocol-level media negotiation for tests: what mediasoup-client would send, by hand. */
import { randomBytes } from 'node:crypto';
import { CAMERA_LAYERS } from '../../../src/shared/protocol.js';
import type { TestClient } from './wsClient.js';

/** A well-formed SHA-256 DTLS fingerprint, as a browser would offer. */
export function fingerprint(): string {
  return [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** What mediasoup-client sends for an Opus track from Chromium. */
export function opusRtpParameters(): Record<string, unknown> {
  return {
    mid: '0',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} }],
    encodings: [{ ssrc: 1111 + Math.floor(Math.random() * 1e6), dtx: false }],
    rtcp: { cname: 'confidant-test', reducedSize: true },
  };
}

/** A connected WebRTC transport of the caller's; returns its id. */
export async function connectedTransport(client: TestClient, direction: 'send' | 'recv'): Promise<string> {
  const t = await client.call('createTransport', { direction });
  await client.call('connectTransport', {
    transportId: t.id,
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: fingerprint() }] },
  });
  return String(t.id);
}

/** Produces an Opus track on a fresh send transport; returns the producer's id. */
export async function produceAudio(client: TestClient): Promise<string> {
  const transportId = await connectedTransport(client, 'send');
  const produced = await client.call('produce', { transportId, kind: 'audio', rtpParameters: opusRtpParameters() });
  return String(produced.id);
}

/** What mediasoup-client sends for a VP8 camera track from Chromium (one encoding). */
export function vp8RtpParameters(): Record<string, unknown> {
  return {
    mid: '1',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [
          { type: 'goog-remb', parameter: '' },
          { type: 'transport-cc', parameter: '' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
        ],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} }],
    encodings: [{ ssrc: 2222 + Math.floor(Math.random() * 1e6) }],
    rtcp: { cname: 'confidant-test', reducedSize: true },
  };
}

/** What mediasoup-client sends for a camera in CAMERA_LAYERS' two simulcast layers. */
export function vp8SimulcastRtpParameters(): Record<string, unknown> {
  const base = Math.floor(Math.random() * 1e6);
  return {
    ...vp8RtpParameters(),
    encodings: CAMERA_LAYERS.map((layer, i) => ({ ssrc: base + 3333 + 1111 * i, ...layer })),
  };
}
