/**
 * What a page's media looked like when a test gave up waiting for it: each peer connection's
 * state, what each video stream sent and received (packets, frames, key frames, key-frame
 * requests) and where the page's encryption stood. Printed with the failure, so a run that
 * fails once in many says why without being run again.
 *
 * The page's peer connections are recorded by an init script added to its context before the
 * page loads (`recordPeerConnections`); the product keeps no list of its own for tests. What
 * the page said about its keys (`[e2ee]` lines at the console's debug level, keyLog.ts) is
 * kept from then on too, and the last of it printed.
 */
import type { BrowserContext, Page } from './e2eTest';

declare global {
  interface Window {
    __testPeerConnections?: RTCPeerConnection[];
  }
}

/** Lines kept per page of what it said about its keys. */
const KEY_LINES = 40;
const keyLines = new WeakMap<Page, string[]>();

/**
 * Every RTCPeerConnection the context's pages make from now on is kept for `mediaDiagnostics`,
 * and so is what they say about their keys.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  const started = Date.now();
  context.on('console', (message) => {
    const page = message.page();
    if (!page || !message.text().startsWith('[e2ee]')) return;
    const lines = keyLines.get(page) ?? [];
    lines.push(`${((Date.now() - started) / 1000).toFixed(2)}s ${message.text().slice('[e2ee] '.length)}`);
    if (lines.length > KEY_LINES) lines.shift();
    keyLines.set(page, lines);
  });
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    if (!Original || window.__testPeerConnections) return;
    const made: RTCPeerConnection[] = [];
    window.__testPeerConnections = made;
    const Recording = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
      const pc = new Original(...args);
      made.push(pc);
      return pc;
    } as unknown as typeof RTCPeerConnection;
    Recording.prototype = Original.prototype;
    Object.setPrototypeOf(Recording, Original);
    window.RTCPeerConnection = Recording;
  });
}

/** One line per peer connection and video stream, and the encryption indicators, for a failure message. */
export async function mediaDiagnostics(page: Page): Promise<string> {
  return page
    .evaluate(async () => {
      const lines: string[] = [];
      for (const testId of ['encryption', 'e2ee-state']) {
        const el = document.querySelector(`[data-testid="${testId}"]`);
        if (el) lines.push(`${testId}: ${el.getAttribute('data-state') ?? ''} ${el.getAttribute('data-epoch') ?? ''} "${el.textContent?.trim() ?? ''}"`);
      }
      for (const badge of document.querySelectorAll('[data-testid^="key-"]')) lines.push(`${badge.getAttribute('data-testid')}: "${badge.textContent?.trim() ?? ''}"`);
      // Each video on the page: which track it shows, whether it has a frame, and how it is laid out.
      for (const video of document.querySelectorAll('video')) {
        const track = video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0] : undefined;
        const tile = video.closest('[data-testid]')?.getAttribute('data-testid') ?? '?';
        lines.push(
          `video ${tile}: track ${track ? `${track.id} ${track.readyState}${track.muted ? ' muted' : ''}` : 'none'} size ${video.videoWidth}x${video.videoHeight} ready ${video.readyState} drawn ${video.clientWidth}x${video.clientHeight}${video.paused ? ' paused' : ''}`,
        );
      }
      const pcs = window.__testPeerConnections ?? [];
      for (const [i, pc] of pcs.entries()) {
        if (pc.connectionState === 'closed') continue;
        lines.push(`pc${i}: ${pc.connectionState}/${pc.iceConnectionState}`);
        // Every receiving video, packets or none yet (inbound stats appear with the first packet).
        const receiving = pc.getTransceivers().filter((t) => t.receiver.track.kind === 'video' && (t.direction === 'recvonly' || t.direction === 'sendrecv'));
        if (receiving.length > 0) lines.push(`  receiving ${receiving.map((t) => `${t.mid ?? '?'}:${t.receiver.track.id}${t.receiver.track.muted ? ' muted' : ''}`).join(', ')}`);
        const stats = await pc.getStats();
        stats.forEach((s: Record<string, unknown>) => {
          if (s['kind'] !== 'video') return;
          if (s['type'] === 'inbound-rtp') {
            lines.push(
              `  in  ${String(s['trackIdentifier'])}: packets ${String(s['packetsReceived'])} frames ${String(s['framesReceived'])} decoded ${String(s['framesDecoded'])} keyDecoded ${String(s['keyFramesDecoded'])} dropped ${String(s['framesDropped'])} pli ${String(s['pliCount'])} fir ${String(s['firCount'])}`,
            );
          } else if (s['type'] === 'outbound-rtp') {
            lines.push(
              `  out ${String(s['mid'])}: packets ${String(s['packetsSent'])} encoded ${String(s['framesEncoded'])} keyEncoded ${String(s['keyFramesEncoded'])} sent ${String(s['framesSent'])} pli ${String(s['pliCount'])}`,
            );
          }
        });
      }
      return lines.join('\n');
    })
    .catch((err: unknown) => `(no diagnostics: ${err instanceof Error ? err.message : String(err)})`)
    .then((media) => [media, ...(keyLines.get(page) ?? []).map((line) => `  key ${line}`)].join('\n'));
}
