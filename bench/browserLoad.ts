/**
 * One group of eight in real Chromium (issue 8, "Load", browser level): eight participant
 * pages with Chromium's fake camera and microphone and the real console, all in one
 * browser on this machine, against the real server as a child process.
 *
 * Capture is forced to 320×240 (an init script narrows the page's own getUserMedia
 * constraints): nine pages encoding and decoding on two shared cores would otherwise
 * measure the machine, not the server. Figures:
 * - first frame: the console's clock from clicking "Admit all" for seven waiting clients
 *   until each one's tile renders a frame; baseline: one client admitted alone, same run;
 * - the console's receive bitrate and frame rate per remote video (getStats inbound-rtp
 *   over 10 s of steady state); baseline: what the senders sent (outbound-rtp), same window;
 * - the media workers' CPU per consumer over the same window, against mediasoup's published
 *   figure of about 500 consumers per worker (one core), i.e. 0.2 % of a core each.
 * Every call is end-to-end encrypted (issue 19): the console holds the group key and keys the
 * clients whose links it re-issued (with their secret), so the bench re-issues each link from
 * the console first, which needs the OS keychain: run it inside scripts/with-keyring.sh
 * (`bash scripts/with-node.sh bash scripts/with-keyring.sh node --import tsx bench/browserLoad.ts`).
 * Not a test: it prints figures and never fails.
 */
import { mkdirSync } from 'node:fs';
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { startConsoleHost } from '../tests/support/consoleHost';
import { startDemoServer } from '../tests/support/demoServer';
import { clientChecksIn, consoleIssuesLink, facilitatorOpensSession, knockOf } from '../tests/support/flows';
import { childrenOf, snapshot } from './loadUsage';
import { TRACE_SIGNALING } from './support/pageTrace';
import { KEEP_NAMES_HELPER } from './support/keepNames';
import { median, percentile, printBench } from './support/stats';

const CLIENTS = 8;
const STEADY_MS = 10_000;
/** mediasoup's documentation: a worker (one core) handles about 500 consumers. */
const PUBLISHED_CONSUMERS_PER_WORKER = 500;

/**
 * Runs in every page before its own scripts, as source text (see bench/firstFrame.ts on
 * why not a function): keeps each RTCPeerConnection for getStats, caps capture at 320×240
 * whatever the page asks for, and supplies esbuild's __name helper.
 */
const INIT = `(() => {
  ${KEEP_NAMES_HELPER}
  const pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) { const pc = new Native(...args); pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
  window.__pcs = pcs;
  // Every signaling frame in and out, with its time (epoch ms): where a tile's wait goes.
  ${TRACE_SIGNALING}
  // The page's own long tasks (its JavaScript, layout, SDP work) and how late a 50 ms timer
  // fires: late timers without long tasks mean the page was waiting for a CPU, not working.
  const longTasks = [];
  window.__longTasks = longTasks;
  try { new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push({ at: performance.timeOrigin + e.startTime, ms: e.duration }); }).observe({ type: 'longtask', buffered: true }); } catch {}
  const lateTicks = [];
  window.__lateTicks = lateTicks;
  let last = performance.now();
  setInterval(() => { const now = performance.now(); if (now - last > 100) lateTicks.push({ at: performance.timeOrigin + last, ms: now - last - 50 }); last = now; }, 50);
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => gum(c && c.video ? { ...c, video: { ...(typeof c.video === 'object' ? c.video : {}), width: { exact: 320 }, height: { exact: 240 } } } : c);
  }
})();`;

/** The page's RTP streams: every inbound one (a consumer) and its outbound video. */
const STATS = `async () => {
  const out = [];
  for (const [i, pc] of (window.__pcs || []).entries()) {
    if (pc.connectionState === 'closed') continue;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp') out.push({ id: i + '/' + s.id, dir: 'in', kind: s.kind, bytes: s.bytesReceived || 0, frames: s.framesDecoded || 0, ssrc: s.ssrc, track: s.trackIdentifier || '' });
      if (s.type === 'outbound-rtp') out.push({ id: i + '/' + s.id, dir: 'out', kind: s.kind, bytes: s.bytesSent || 0, frames: s.framesEncoded || 0 });
    });
  }
  return out;
}`;

interface RtpStream {
  id: string;
  dir: 'in' | 'out';
  kind: 'audio' | 'video';
  bytes: number;
  frames: number;
  /** Inbound only: which receiver it is. mediasoup-client's RTP probation receiver is 'probator'. */
  ssrc?: number;
  track?: string;
}

async function rtpStreams(page: Page): Promise<RtpStream[]> {
  const fn = await page.evaluateHandle(STATS);
  return page.evaluate((f) => (f as unknown as () => Promise<RtpStream[]>)(), fn);
}

/**
 * mediasoup-client's receiver for the SFU's bandwidth probes (track 'probator'): one per
 * receive transport, created with the first video consumer. Not a consumer; its bytes are
 * padding, not video, so it is left out of every per-video and per-consumer figure.
 */
const isProbator = (s: RtpStream): boolean => s.dir === 'in' && s.track === 'probator';

/** Per-stream growth over the window, for video streams in `dir` that carried anything. */
function videoRates(before: RtpStream[], after: RtpStream[], dir: 'in' | 'out', seconds: number): { kbps: number; fps: number }[] {
  const start = new Map(before.map((s) => [s.id, s]));
  return after.flatMap((s) => {
    const s0 = start.get(s.id);
    if (s.dir !== dir || s.kind !== 'video' || isProbator(s) || !s0 || s.bytes === s0.bytes) return [];
    return [{ kbps: ((s.bytes - s0.bytes) * 8) / 1000 / seconds, fps: (s.frames - s0.frames) / seconds }];
  });
}

const mean = (xs: number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * Clicks `button` in the console and times, per name, until that tile has a video track
 * (the consumer is set up) and until it shows a frame (decoded). Gives up after `limitMs`:
 * a tile that never shows is reported (frame null), not waited for forever.
 */
const CLICK_AND_TIME = `([selector, names, limitMs]) => {
  const button = document.querySelector(selector);
  if (!button) throw new Error('no button ' + selector);
  const t0 = performance.now();
  button.click();
  const track = {};
  const frame = {};
  return new Promise((ok) => {
    const check = () => {
      for (const who of names) {
        if (frame[who] !== undefined) continue;
        const tile = [...document.querySelectorAll('[data-testid^="tile-"]')].find((el) => el.textContent.includes(who));
        const video = tile && tile.querySelector('video');
        if (video && track[who] === undefined && video.srcObject && video.srcObject.getVideoTracks().length > 0) track[who] = performance.now() - t0;
        if (video && video.videoWidth > 0) frame[who] = performance.now() - t0;
      }
      const done = names.every((n) => frame[n] !== undefined);
      if (done || performance.now() - t0 > limitMs) ok({ clickedAt: performance.timeOrigin + t0, tiles: names.map((n) => ({ name: n, track: track[n] ?? frame[n] ?? null, frame: frame[n] ?? null })) });
      // A timer, not requestAnimationFrame: a page that is not painting would stop the clock.
      // Every 20 ms: the check itself cost the console ~3 % of its main thread at 10 ms.
      else setTimeout(check, 20);
    };
    check();
  });
}`;

interface TileTimes {
  name: string;
  /** null: not within the limit. */
  track: number | null;
  frame: number | null;
}

/** How long a tile may take before the bench reports it missing. */
const TILE_LIMIT_MS = 180_000;

interface Frame {
  at: number;
  dir: 'in' | 'out';
  name: string;
  id?: number;
}

/** The console's signaling after the click, summarised per step: first and last, ms after the click. */
async function consoleTrace(consolePage: Page, since: number, until: number): Promise<string> {
  const frames = (await consolePage.evaluate('window.__frames')) as Frame[];
  const longTasks = ((await consolePage.evaluate('window.__longTasks')) as { at: number; ms: number }[]).filter((t) => t.at >= since && t.at <= until);
  const lateTicks = ((await consolePage.evaluate('window.__lateTicks')) as { at: number; ms: number }[]).filter((t) => t.at >= since && t.at <= until);
  const sum = (xs: { ms: number }[]): number => xs.reduce((n, x) => n + x.ms, 0);
  /** Round trips of `method`'s requests sent after `since`, paired by request id. */
  const rtts = (method: string): number[] => {
    const sent = new Map(frames.filter((f) => f.dir === 'out' && f.name === method && f.at >= since).map((f) => [f.id, f.at]));
    return frames.flatMap((f) => (f.dir === 'in' && f.name === method && sent.has(f.id) ? [f.at - sent.get(f.id)!] : []));
  };
  const steps: [string, 'in' | 'out'][] = [
    ['producerAdded', 'in'],
    ['consume', 'out'],
    ['consume', 'in'],
    ['resumeConsumer', 'out'],
    ['resumeConsumer', 'in'],
  ];
  return steps
    .map(([name, dir]) => {
      const ts = frames.filter((f) => f.name === name && f.dir === dir && f.at >= since).map((f) => f.at - since);
      const label = dir === 'out' ? `${name} sent` : name === 'producerAdded' ? name : `${name} answered`;
      return ts.length === 0 ? `${label}: none` : `${label} ×${ts.length}: ${Math.min(...ts).toFixed(0)}–${Math.max(...ts).toFixed(0)}`;
    })
    .concat(
      ['consume', 'resumeConsumer'].map((m) => {
        const r = rtts(m);
        return `${m} round trip median ${median(r).toFixed(0)}, max ${percentile(r, 100).toFixed(0)}`;
      }),
      `until the last tile: ${longTasks.length} long tasks in the console (${sum(longTasks).toFixed(0)} ms, longest ${percentile(longTasks.map((t) => t.ms), 100).toFixed(0)}), ` +
        `its 50 ms timer late ${lateTicks.length} times by ${sum(lateTicks).toFixed(0)} ms in all (worst ${percentile(lateTicks.map((t) => t.ms), 100).toFixed(0)})`,
    )
    .join(', ');
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The 20 functions with the most self time in a V8 CPU profile, one per line. */
function topSelfTime(profile: CpuProfile): string {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byNode.get(id)?.callFrame;
    const key = f ? `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}` : '?';
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0));
  });
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`)
    .join('\n');
}

interface ClickTimes {
  /** Epoch ms of the click, to place the server's log lines after it. */
  clickedAt: number;
  tiles: TileTimes[];
}

async function clickAndTime(consolePage: Page, selector: string, names: string[]): Promise<ClickTimes> {
  const fn = await consolePage.evaluateHandle(CLICK_AND_TIME);
  return consolePage.evaluate(([f, args]) => (f as unknown as (a: unknown) => Promise<ClickTimes>)(args), [
    fn,
    [selector, names, TILE_LIMIT_MS],
  ] as const);
}

const ms = (t: number | null): string => (t === null ? 'never' : t.toFixed(0));

/** ms after `since` of each server log line for `event` whose fields include every one of `having`. */
function loggedAfter(lines: string[], since: number, event: string, having: string[] = []): number[] {
  return lines.flatMap((line) => {
    const [iso, , , name] = line.split(' ');
    if (name !== event || !having.every((f) => line.includes(f))) return [];
    const at = Date.parse(iso ?? '');
    return Number.isFinite(at) && at >= since ? [at - since] : [];
  });
}

async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ content: INIT });
  return { context, page: await context.newPage() };
}

export async function benchBrowserLoad(): Promise<void> {
  const demo = await startDemoServer(['--invitations', String(CLIENTS)]);
  const serverPid = demo.process.pid;
  if (serverPid === undefined) throw new Error('the demo server has no pid');
  const workerPids = childrenOf(serverPid);
  // The server's own log (admissions, producers), to split each tile's wait into the
  // client's part (admitted → producing) and the console's (producing → its track).
  const serverLog: string[] = [];
  demo.process.stderr?.on('data', (chunk: Buffer) => serverLog.push(...chunk.toString().split('\n')));
  const host = await startConsoleHost({ defaultServerUrl: demo.info.httpUrl });
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: chromiumArgs });
  try {
    const { page: consolePage } = await newPage(browser);
    await host.attach(consolePage);
    try {
      await facilitatorOpensSession(consolePage, host, demo.info);
    } catch (err) {
      mkdirSync('test-results/screenshots', { recursive: true });
      await consolePage.screenshot({ path: 'test-results/screenshots/bench-browser-load-failed.png' });
      throw err;
    }

    // Every call is end-to-end encrypted (issue 19), and the console keys only clients whose
    // link it vouches for: each link re-issued by the console, as a facilitator sends them,
    // with the secret in its fragment. The demo's own links have none; their clients would
    // wait for a safety code and never show a frame.
    // The console makes those secrets from a key in the OS keychain: this bench runs inside
    // scripts/with-keyring.sh, as the end-to-end tests do.
    const invitations = [];
    for (const inv of demo.info.invitations) {
      invitations.push(
        await consoleIssuesLink(consolePage, demo.info.sessionId, inv).catch((err: unknown) => {
          throw new Error(`the console issued no link with a secret (is this run inside scripts/with-keyring.sh?): ${String(err)}`);
        }),
      );
    }
    const names = invitations.map((_, i) => `Client ${i + 1}`);
    const clientPages: Page[] = [];
    // The baseline: the first client, admitted alone.
    const first = await newPage(browser);
    clientPages.push(first.page);
    await clientChecksIn(first.page, invitations[0]!, names[0]!);
    await expect(knockOf(consolePage, names[0]!)).toBeVisible();
    const [aloneTimes] = (await clickAndTime(consolePage, `[aria-label="Admit ${names[0]!}"]`, [names[0]!])).tiles;

    // The other seven wait together, then "Admit all".
    for (let i = 1; i < CLIENTS; i++) {
      const { page } = await newPage(browser);
      clientPages.push(page);
      await clientChecksIn(page, invitations[i]!, names[i]!);
      await expect(knockOf(consolePage, names[i]!)).toBeVisible();
    }
    const admitAll = consolePage.getByRole('button', { name: 'Admit all' });
    await expect(admitAll).toBeVisible();
    await admitAll.evaluate((b) => b.setAttribute('data-bench', 'admit-all'));
    // BENCH_PROFILE=1: where the console's main thread spends "Admit all" (V8's sampling profiler).
    const profiler = process.env['BENCH_PROFILE'] ? await consolePage.context().newCDPSession(consolePage) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    const { clickedAt, tiles: togetherTimes } = await clickAndTime(consolePage, '[data-bench="admit-all"]', names.slice(1));
    if (profiler) process.stderr.write(`console profile, self time during Admit all:\n${topSelfTime((await profiler.send('Profiler.stop')).profile)}\n`);
    const admittedAt = loggedAfter(serverLog, clickedAt, 'client.admitted');
    const videoProducedAt = loggedAfter(serverLog, clickedAt, 'producer.added', ['kind=video']);
    const lastTile = Math.max(...togetherTimes.map((t) => t.frame ?? TILE_LIMIT_MS));
    const trace = await consoleTrace(consolePage, clickedAt, clickedAt + lastTile);
    const alone = aloneTimes!.frame ?? NaN;
    // Tiles that never showed are named below, not averaged in.
    const together = togetherTimes.flatMap((t) => (t.frame === null ? [] : [t.frame]));
    const missing = togetherTimes.filter((t) => t.frame === null).map((t) => t.name);
    if (missing.length > 0) {
      mkdirSync('test-results/screenshots', { recursive: true });
      await consolePage.screenshot({ path: 'test-results/screenshots/bench-browser-load-missing.png' });
    }

    // Let every page finish subscribing, then measure a steady window.
    await consolePage.waitForTimeout(5_000);
    const pages = [consolePage, ...clientPages];
    const before = await Promise.all(pages.map(rtpStreams));
    const usage0 = snapshot(serverPid, workerPids);
    await consolePage.waitForTimeout(STEADY_MS);
    const after = await Promise.all(pages.map(rtpStreams));
    const usage1 = snapshot(serverPid, workerPids);
    const seconds = (usage1.at - usage0.at) / 1000;

    // The console's remote videos, and what the eight clients sent, over the same window.
    const received = videoRates(before[0]!, after[0]!, 'in', seconds);
    const sent = clientPages.flatMap((_, i) => videoRates(before[i + 1]!, after[i + 1]!, 'out', seconds));
    const consumers = after.reduce((n, streams) => n + streams.filter((s) => s.dir === 'in' && !isProbator(s)).length, 0);
    const idleVideosIntoConsole =
      after[0]!.filter((s) => s.dir === 'in' && s.kind === 'video' && !isProbator(s)).length - received.length;
    // Each inbound video of the console by receiver, the probation receiver included: an
    // earlier version counted it as a ninth live video (or, probes paused, an idle one).
    const start0 = new Map(before[0]!.map((s) => [s.id, s.bytes]));
    const consoleVideos = after[0]!
      .filter((s) => s.dir === 'in' && s.kind === 'video')
      .map((s) => `${s.track === 'probator' ? 'probator' : `ssrc ${s.ssrc ?? '?'}`}: ${(((s.bytes - (start0.get(s.id) ?? s.bytes)) * 8) / 1000 / seconds).toFixed(1)} kbit/s`);
    const workerCpuPct = ((usage1.workers.cpuMs - usage0.workers.cpuMs) / (seconds * 1000)) * 100;
    const serverCpuPct = ((usage1.server.cpuMs - usage0.server.cpuMs) / (seconds * 1000)) * 100;

    printBench('browser_first_frame_admit_all_p50', median(together), 'ms', alone);
    printBench('browser_first_frame_admit_all_max', percentile(together, 100), 'ms', alone);
    printBench(
      'browser_console_receive_kbps_per_video',
      mean(received.map((r) => r.kbps)),
      'kbit/s',
      mean(sent.map((r) => r.kbps)),
    );
    printBench(
      'browser_console_receive_fps_per_video',
      mean(received.map((r) => r.fps)),
      'fps',
      mean(sent.map((r) => r.fps)),
    );
    printBench(
      'browser_worker_cpu_per_consumer',
      workerCpuPct / Math.max(1, consumers),
      '% of a core',
      100 / PUBLISHED_CONSUMERS_PER_WORKER,
    );
    process.stderr.write(
      `browser load: ${CLIENTS} clients + console at 320x240; ${consumers} consumers; ${received.length} live videos into the console ` +
        `(${idleVideosIntoConsole} idle), from ${sent.length} sending [${consoleVideos.join('; ')}]; ` +
        `over ${seconds.toFixed(1)} s workers ${workerCpuPct.toFixed(1)}% and server ${serverCpuPct.toFixed(1)}% of a core; ` +
        `worker RSS ${(usage1.workers.rssBytes / 2 ** 20).toFixed(0)} MiB, server RSS ${(usage1.server.rssBytes / 2 ** 20).toFixed(0)} MiB; ` +
        `track → first frame (ms): alone ${ms(aloneTimes!.track)} → ${ms(aloneTimes!.frame)}, together ` +
        `${togetherTimes.map((t) => `${ms(t.track)} → ${ms(t.frame)}`).join(', ')}` +
        `${missing.length > 0 ? ` (NO FRAME within ${TILE_LIMIT_MS / 1000} s: ${missing.join(', ')})` : ''}; after "Admit all" the server ` +
        `admitted at ${admittedAt.map((t) => t.toFixed(0)).join(', ')} ms and had each client's video producer at ` +
        `${videoProducedAt.map((t) => t.toFixed(0)).join(', ')} ms; the console's signaling (ms): ${trace}\n`,
    );
    mkdirSync('test-results/screenshots', { recursive: true });
    await consolePage.screenshot({ path: 'test-results/screenshots/bench-browser-load-console.png' });
  } finally {
    await browser.close();
    await host.close();
    await demo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchBrowserLoad().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
