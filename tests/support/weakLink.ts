/**
 * A weak home link for one browser, on this machine (issue 22's link-fault tests and bench):
 * a network namespace of the test's own, joined to this one by a veth pair, with the browser
 * started inside it. What the browser reaches at 127.0.0.1 (the session server's HTTP port and
 * its media ports) is a relay in the namespace (linkRelay.ts) that forwards over the veth pair
 * to a second relay here, which forwards to the real server on 127.0.0.1: the page uses the very
 * links and candidates any client gets. Each way of the veth pair can be limited with `tc tbf`
 * (a rate, with a short queue that drops what overflows), and the inner relay drops and delays
 * UDP at random. Needs root (network namespaces); nothing leaves the machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from './e2eTest';

const RELAY = resolve(import.meta.dirname, 'linkRelay.ts');
const root = resolve(import.meta.dirname, '../..');

export type Direction = 'up' | 'down';

/** Whether this process may make network namespaces (root, with iproute2's `ip` and `tc`). */
export function canMakeLinks(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0 && spawnSync('tc', ['-V']).status === 0;
}

function run(command: string, ...args: string[]): void {
  const done = spawnSync(command, args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${done.stderr || done.error?.message}`);
}

function startRelay(prefix: string[], listen: string, to: string, ports: { udp: number[]; tcp: number[] }): Promise<ChildProcess> {
  const args = [
    ...prefix,
    process.execPath,
    '--import',
    'tsx',
    RELAY,
    '--listen',
    listen,
    '--to',
    to,
    '--udp',
    ports.udp.join(','),
    '--tcp',
    ports.tcp.join(','),
  ];
  const child = spawn(args[0]!, args.slice(1), { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the link relay did not start: ${errors.join('')}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== 'ready') return;
      clearTimeout(timer);
      ok(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the link relay exited with ${code}: ${errors.join('')}`));
    });
  });
}

export class WeakLink {
  private constructor(
    private readonly namespace: string,
    private readonly devices: Record<Direction, string>,
    private readonly inner: ChildProcess,
    private readonly outer: ChildProcess,
    private readonly dir: string,
    /** A Chromium that runs inside the namespace, for Playwright's `executablePath`. */
    readonly chromium: string,
  ) {}

  /**
   * Opens the link for a server listening on 127.0.0.1 at `httpPort` (TCP) and `media` (its
   * workers' UDP and TCP ports).
   */
  static async open(httpPort: number, media: { udp: number[]; tcp: number[] }, chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'): Promise<WeakLink> {
    if (media.udp.length === 0) throw new Error('the server said no media ports to relay (start it with WEAK_LINK_DEMO_ENV)');
    // Names and a /30 of the test's own, so runs side by side (or one left behind) do not meet.
    const n = process.pid % 250;
    const namespace = `cf-weak-${process.pid}`;
    const here = `cfw${process.pid}a`.slice(0, 15);
    const there = `cfw${process.pid}b`.slice(0, 15);
    const hereIp = `10.89.${n}.1`;
    const thereIp = `10.89.${n}.2`;
    const dir = mkdtempSync(join(tmpdir(), 'confidant-weak-'));
    run('ip', 'netns', 'add', namespace);
    const opened: ChildProcess[] = [];
    try {
      run('ip', 'link', 'add', here, 'type', 'veth', 'peer', 'name', there);
      run('ip', 'link', 'set', there, 'netns', namespace);
      run('ip', 'addr', 'add', `${hereIp}/30`, 'dev', here);
      run('ip', 'link', 'set', here, 'up');
      run('ip', '-n', namespace, 'addr', 'add', `${thereIp}/30`, 'dev', there);
      run('ip', '-n', namespace, 'link', 'set', there, 'up');
      run('ip', '-n', namespace, 'link', 'set', 'lo', 'up');
      const ports = { udp: media.udp, tcp: [httpPort, ...media.tcp] };
      const outer = await startRelay([], hereIp, '127.0.0.1', ports);
      opened.push(outer);
      const inner = await startRelay(['ip', 'netns', 'exec', namespace], '127.0.0.1', hereIp, ports);
      opened.push(inner);
      const wrapper = join(dir, 'chromium-in-namespace');
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${namespace} ${chromium} "$@"\n`);
      chmodSync(wrapper, 0o755);
      // The way up leaves the namespace's end; the way down leaves ours.
      return new WeakLink(namespace, { up: there, down: here }, inner, outer, dir, wrapper);
    } catch (err) {
      for (const child of opened) child.kill();
      spawnSync('ip', ['link', 'del', here]);
      spawnSync('ip', ['netns', 'del', namespace]);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Limits one way to `kbit` kbit/s: a token bucket with a short queue (`latencyMs` of it at
   * that rate), past which packets are dropped, as a home router's buffer does.
   */
  limit(direction: Direction, kbit: number, latencyMs = 200): void {
    const inNamespace = direction === 'up' ? ['-n', this.namespace] : [];
    run('tc', ...inNamespace, 'qdisc', 'replace', 'dev', this.devices[direction], 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '6kb', 'latency', `${latencyMs}ms`);
  }

  /** Drops this share (0–1) of the UDP datagrams going one way, at random. */
  loss(direction: Direction, share: number): void {
    this.inner.stdin?.write(`loss ${direction} ${share}\n`);
  }

  /** Delays every UDP datagram by `ms` each way. */
  delay(ms: number): void {
    this.inner.stdin?.write(`delay ${ms}\n`);
  }

  /** Lifts every fault of one way: no limit, no loss. */
  clear(direction: Direction): void {
    const inNamespace = direction === 'up' ? ['-n', this.namespace] : [];
    spawnSync('tc', [...inNamespace, 'qdisc', 'del', 'dev', this.devices[direction], 'root']);
    this.loss(direction, 0);
  }

  close(): void {
    for (const child of [this.inner, this.outer]) {
      child.stdin?.end();
      child.kill();
    }
    // The pair goes with the namespace.
    spawnSync('ip', ['netns', 'del', this.namespace]);
    spawnSync('ip', ['link', 'del', this.devices.down]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a page has received of others, summed over its streams (tests/support/mediaDiagnostics.ts records its peer connections). */
export interface Received {
  /** Audio samples played, and those concealed (made up for lost packets). */
  samples: number;
  concealed: number;
  /** Video: the tallest frame now, the frames decoded so far. */
  videoHeight: number;
  videoFrames: number;
  /** Bytes of audio and video received so far. */
  bytes: number;
  /** Voice packets received, lost on the way, and discarded by the jitter buffer (they came too late to play). */
  voicePackets: number;
  voiceLost: number;
  voiceLate: number;
}

export async function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const total = { samples: 0, concealed: 0, videoHeight: 0, videoFrames: 0, bytes: 0, voicePackets: 0, voiceLost: 0, voiceLate: 0 };
    for (const pc of window.__testPeerConnections ?? []) {
      for (const stat of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
        if (stat['type'] !== 'inbound-rtp') continue;
        total.bytes += Number(stat['bytesReceived'] ?? 0);
        if (stat['kind'] === 'audio') {
          total.samples += Number(stat['totalSamplesReceived'] ?? 0);
          total.concealed += Number(stat['concealedSamples'] ?? 0);
          total.voicePackets += Number(stat['packetsReceived'] ?? 0);
          total.voiceLost += Number(stat['packetsLost'] ?? 0);
          total.voiceLate += Number(stat['packetsDiscarded'] ?? 0);
        } else if (stat['kind'] === 'video') {
          total.videoHeight = Math.max(total.videoHeight, Number(stat['frameHeight'] ?? 0));
          total.videoFrames += Number(stat['framesDecoded'] ?? 0);
        }
      }
    }
    return total;
  });
}

/**
 * Between two readings, the voice's packets lost on the way and those that came too late to play,
 * each as a share of all sent, in words for a test's notes: which of the two the concealment
 * made up for.
 */
export function voiceLosses(before: Received, after: Received): string {
  const lost = after.voiceLost - before.voiceLost;
  const late = after.voiceLate - before.voiceLate;
  const sent = Math.max(1, after.voicePackets - before.voicePackets + lost);
  return `voice packets lost ${((lost / sent) * 100).toFixed(1)} %, too late ${((late / sent) * 100).toFixed(1)} %`;
}

/** Concealed samples as a share of those received between two readings. */
export const concealedShare = (before: Received, after: Received): number =>
  (after.concealed - before.concealed) / Math.max(1, after.samples - before.samples);

/**
 * What a page's level of its link is read from (client/connectionQuality.ts, sampleOf), as
 * the browser has it now, for a failure message: each connection's round trip and send
 * estimate, what each outgoing stream sends and what the SFU reports losing of it, and what
 * each incoming stream lost and asked for again.
 */
export async function linkDiagnostics(page: Page): Promise<string> {
  return page
    .evaluate(async () => {
      // What the page itself shows of its link (the level it reports to the therapist).
      const own = document.querySelector('[data-testid="connection"]');
      const lines: string[] = [`the page shows its connection as ${own?.getAttribute('data-quality') ?? '(nothing)'}`];
      const n = (value: unknown): string => (typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : '-');
      for (const [i, pc] of (window.__testPeerConnections ?? []).entries()) {
        if (pc.connectionState === 'closed') continue;
        lines.push(`pc${i}: ${pc.connectionState}`);
        for (const s of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
          if (s['type'] === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded') {
            lines.push(`  pair: rtt ${n(s['currentRoundTripTime'])} s, send estimate ${n(Number(s['availableOutgoingBitrate'] ?? NaN) / 1000)} kbit/s`);
          } else if (s['type'] === 'outbound-rtp') {
            lines.push(
              `  out ${String(s['kind'])} ${String(s['rid'] ?? '')}: active ${String(s['active'])} bytes ${n(s['bytesSent'])} fps ${n(s['framesPerSecond'])} ${n(s['frameHeight'])} lines, limited by ${String(s['qualityLimitationReason'] ?? '-')}, target ${n(Number(s['targetBitrate'] ?? NaN) / 1000)} kbit/s`,
            );
          } else if (s['type'] === 'remote-inbound-rtp') {
            lines.push(`  SFU lost of ${String(s['kind'])}: fraction ${n(s['fractionLost'])}, rtt ${n(s['roundTripTime'])} s`);
          } else if (s['type'] === 'inbound-rtp') {
            lines.push(`  in ${String(s['kind'])}: packets ${n(s['packetsReceived'])} lost ${n(s['packetsLost'])} nacks ${n(s['nackCount'])}`);
          }
        }
      }
      return lines.join('\n');
    })
    .catch((err: unknown) => `(no link diagnostics: ${err instanceof Error ? err.message : String(err)})`);
}

/**
 * The send estimate now of the page's connection that sends video (its candidate pair in use),
 * in kbit/s; 0 when it has none. (A connection that only receives keeps the browser's starting
 * estimate, 300 kbit/s, which says nothing.)
 */
export async function sendEstimateKbps(page: Page): Promise<number> {
  return page.evaluate(async () => {
    for (const pc of window.__testPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = [...((await pc.getStats()).values() as IterableIterator<Record<string, unknown>>)];
      if (!stats.some((s) => s['type'] === 'outbound-rtp' && s['kind'] === 'video')) continue;
      const pair = stats.find((s) => s['type'] === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded');
      return Math.round(Number(pair?.['availableOutgoingBitrate'] ?? 0) / 1000);
    }
    return 0;
  });
}

/**
 * Waits for `what` to pass; when it does not, the error carries `page`'s link as
 * its browser measures it, read twice 2 s apart (what moved over one sample's interval).
 */
export async function withLinkDiagnostics(page: Page, what: () => Promise<unknown>): Promise<void> {
  try {
    await what();
  } catch (err) {
    const first = await linkDiagnostics(page);
    await page.waitForTimeout(2_000).catch(() => undefined);
    const second = await linkDiagnostics(page);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\nthe client's link as its browser measures it:\n${first}\n2 s later:\n${second}`, { cause: err });
  }
}
