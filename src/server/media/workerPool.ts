/**
 * mediasoup workers, one per core at most (each worker is one single-threaded process).
 * Each session's router goes to the least-loaded live worker, load being routers plus
 * consumers (DESIGN.md, "Scale": a worker carries about 500 consumers).
 *
 * A worker that dies is replaced in its slot with the same settings, and whoever made a
 * router on it hears that the router is lost (its transports, producers and consumers went
 * with the process), so the session can move to a new router. Restarts back off when a
 * worker keeps dying soon after starting, up to a capped delay, and never stop: a crash loop
 * must not spin a core, but giving up would leave every session on that slot without media
 * for good over what may be a passing cause (memory pressure, a killed process), while a
 * restart every few seconds costs next to nothing.
 *
 * Each worker listens through one WebRtcServer: every WebRTC transport on it shares one UDP
 * and one TCP port, so a clinic's firewall opens two ports per worker, and no number of
 * transports can take more (each used to bind its own pair from a range of thousands).
 * The slot owns its ports: a replacement worker listens where its predecessor did, so
 * reconnecting clients and firewall rules still find it.
 */
import { readFileSync } from 'node:fs';
import { createWorker, type types as ms } from 'mediasoup';
import { createLogger, errorFields } from '../../common/logger.js';
import { backoffDelay, type BackoffRule } from '../../shared/backoff.js';
import { MEDIA_CODECS } from './codecs.js';

const log = createLogger('media');

export interface WorkerPoolOptions {
  workers: number;
  /**
   * Worker i listens on rtcPort + i, UDP and TCP. 0 lets each worker's first start take any
   * free ports, which its slot then keeps (tests, and servers run side by side on one host).
   */
  rtcPort: number;
  /** The address the WebRtcServers listen on. */
  listenIp: string;
  /** The address clients are told to reach, when not listenIp (behind NAT). */
  announcedIp?: string;
  /** Overrides RESTART_BACKOFF (tests shorten the back-off to reach its cap quickly). */
  restartBackoff?: BackoffRule;
}

/**
 * The waits before the restarts of a slot whose worker failed 2, 3, … times in a row: 0.5 s
 * doubling to 10 s, then every 10 s. The first restart is immediate: a session is without
 * media until its new router exists.
 */
export const RESTART_BACKOFF: BackoffRule = { baseMs: 500, maxMs: 10_000 };
/**
 * The receive buffer each worker's UDP socket asks the kernel for. Everyone's media on a
 * worker arrives on that one socket, and the kernel's default buffer (net.core.rmem_default,
 * 208 KiB on Linux) holds a fraction of a second of it: a worker that waits for its core that
 * long (a busy host, a group let in at once, every camera starting with a key frame) loses
 * whatever overflows. On a two-core machine with both cores busy it lost 60-70 % of newcomers'
 * packets as they were let in, their browsers judged their links poor and held their cameras
 * back (issue 15, "Admit all under a busy CPU"). The kernel caps what is asked at
 * net.core.rmem_max (`warnIfBufferCapped`).
 */
export const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** The kernel's cap on a socket's receive buffer (Linux), or undefined where it cannot be read. */
function receiveBufferCap(): number | undefined {
  try {
    const value = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

let cappedWarned = false;
/** Says once per process when the kernel gives the workers' sockets less than UDP_RECV_BUFFER_BYTES, and how to change it. */
function warnIfBufferCapped(): void {
  if (cappedWarned) return;
  const cap = receiveBufferCap();
  if (cap === undefined || cap >= UDP_RECV_BUFFER_BYTES) return;
  cappedWarned = true;
  log.warn('media.udp_buffer_capped', {
    wanted: UDP_RECV_BUFFER_BYTES,
    rmemMax: cap,
    fix: `a busy media worker may drop packets; allow more with: sysctl -w net.core.rmem_max=${UDP_RECV_BUFFER_BYTES}`,
  });
}

/** A worker that lived this long before dying was healthy; its death starts a new count. */
const STABLE_AFTER_MS = 30_000;

/** A session's router; its appData holds its worker's WebRtcServer, where its transports listen. */
export type MediaRouter = ms.Router<{ webRtcServer: ms.WebRtcServer }>;

/** Called once a router's worker has died; the router and all it held are closed already. */
export type RouterLostListener = (router: MediaRouter) => void;

export interface CreateRouterOptions {
  onLost?: RouterLostListener;
}

/** Where a worker's WebRtcServer listens. */
export interface RtcPorts {
  udp: number;
  tcp: number;
}

interface PooledWorker {
  worker: ms.Worker;
  webRtcServer: ms.WebRtcServer;
  /** Where its WebRtcServer does listen, as the worker reported it. */
  ports: RtcPorts;
  alive: boolean;
  startedAt: number;
  routers: number;
  consumers: number;
  /** Routers closed by this worker's death, announced to their owners once it is handled. */
  lost: { router: MediaRouter; onLost: RouterLostListener }[];
}

/** One place in the pool; its worker is replaced when it dies. */
interface Slot {
  index: number;
  current: PooledWorker;
  /** Where every worker of this slot listens: its first one's ports, kept across restarts. */
  ports: RtcPorts;
  /** Failures in a row (deaths soon after starting, failed starts); 0 while healthy. */
  failures: number;
  /** Settles when the restart under way has a new worker, or the pool closed. */
  restarting: Promise<void> | undefined;
}

export interface WorkerLoad {
  /** The slot; a replacement worker keeps its predecessor's. */
  worker: number;
  /** The worker's process (tests kill it to rehearse a crash). */
  pid: number;
  /** Where the current worker listens (the slot's ports, once it has started). */
  ports: RtcPorts;
  alive: boolean;
  routers: number;
  consumers: number;
}

export class NoWorkerError extends Error {
  constructor() {
    super('no live media worker');
    this.name = 'NoWorkerError';
  }
}

/** A worker's configured media port is held by another process (or another Confidant). */
export class MediaPortTakenError extends Error {
  constructor(
    readonly protocol: 'udp' | 'tcp',
    readonly port: number,
    readonly workerIndex: number,
  ) {
    super(`media port ${port} (${protocol.toUpperCase()}) is already in use`);
    this.name = 'MediaPortTakenError';
  }
}

interface Spawned {
  worker: ms.Worker;
  webRtcServer: ms.WebRtcServer;
  ports: RtcPorts;
}

/** The ports slot `index` is configured with; undefined when any free ones will do. */
function configuredPorts(options: WorkerPoolOptions, index: number): RtcPorts | undefined {
  return options.rtcPort === 0 ? undefined : { udp: options.rtcPort + index, tcp: options.rtcPort + index };
}

/** A worker and its WebRtcServer on `ports` (any free ones when undefined). */
async function spawn(options: WorkerPoolOptions, ports: RtcPorts | undefined, index: number): Promise<Spawned> {
  const worker = await createWorker({ logLevel: 'warn' });
  const listenInfo = (protocol: 'udp' | 'tcp', port: number | undefined): ms.TransportListenInfo => ({
    protocol,
    ip: options.listenIp,
    ...(options.announcedIp ? { announcedAddress: options.announcedIp } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(protocol === 'udp' ? { recvBufferSize: UDP_RECV_BUFFER_BYTES } : {}),
  });
  warnIfBufferCapped();
  try {
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [listenInfo('udp', ports?.udp), listenInfo('tcp', ports?.tcp)],
    });
    const dump = await webRtcServer.dump();
    const udp = dump.udpSockets[0]?.port;
    const tcp = dump.tcpServers[0]?.port;
    if (udp === undefined || tcp === undefined) throw new Error('the WebRtcServer reported no sockets');
    return { worker, webRtcServer, ports: { udp, tcp } };
  } catch (err) {
    // This worker is of no use without its server.
    worker.close();
    // libuv's words, from the worker: "uv_udp_bind() failed [protocol:udp, ip:…, port:…]:
    // address already in use" (uv_listen() for TCP).
    const taken = err instanceof Error && ports !== undefined ? /failed \[protocol:(udp|tcp)\b[^\]]*\]: address already in use/i.exec(err.message) : null;
    if (taken) {
      const protocol = taken[1]?.toLowerCase() === 'udp' ? 'udp' : 'tcp';
      throw new MediaPortTakenError(protocol, ports![protocol], index);
    }
    throw err;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class WorkerPool {
  private closed = false;
  private readonly slots: Slot[];

  private constructor(
    private readonly options: WorkerPoolOptions,
    workers: Spawned[],
  ) {
    this.slots = workers.map((spawned, index) => {
      const slot: Slot = { index, current: this.pooled(spawned), ports: spawned.ports, failures: 0, restarting: undefined };
      this.watch(slot, slot.current);
      return slot;
    });
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: options.workers }, (_, i) => spawn(options, configuredPorts(options, i), i)));
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (workers.length < started.length) {
      for (const w of workers) w.worker.close();
      const failure = started.find((r) => r.status === 'rejected');
      throw failure?.status === 'rejected' && failure.reason instanceof Error
        ? failure.reason
        : new Error('a mediasoup worker failed to start');
    }
    const pool = new WorkerPool(options, workers);
    log.info('workers.started', { count: workers.length, ports: workers.map((w) => `udp ${w.ports.udp} tcp ${w.ports.tcp}`).join(', ') });
    return pool;
  }

  private pooled({ worker, webRtcServer, ports }: Spawned): PooledWorker {
    return { worker, webRtcServer, ports, alive: true, startedAt: Date.now(), routers: 0, consumers: 0, lost: [] };
  }

  private watch(slot: Slot, entry: PooledWorker): void {
    // mediasoup closes the worker (and with it every router, which emits 'workerclose')
    // before it emits 'died', so by now `entry.lost` holds every router that went down.
    entry.worker.on('died', (error: Error) => {
      entry.alive = false;
      if (this.closed) return;
      const quick = Date.now() - entry.startedAt < STABLE_AFTER_MS;
      slot.failures = quick ? slot.failures + 1 : 1;
      log.error('worker.died', {
        worker: slot.index,
        pid: entry.worker.pid,
        errorType: error.name,
        routersLost: entry.lost.length,
        failuresInARow: slot.failures,
      });
      this.restart(slot);
      for (const { router, onLost } of entry.lost.splice(0)) {
        try {
          onLost(router);
        } catch (err) {
          log.error('router.lost_listener_failed', { routerId: router.id, ...errorFields(err) });
        }
      }
    });
  }

  /**
   * The back-off before a restart after `failures` in a row: the first at once, then the one
   * backoff rule (src/shared/backoff.ts), growing and then held at its cap.
   */
  private restartDelay(failures: number): number {
    return failures <= 1 ? 0 : backoffDelay(failures - 2, this.options.restartBackoff ?? RESTART_BACKOFF);
  }

  /** Starts a new worker in `slot`, after the back-off its failures call for; keeps trying until it has one. */
  private restart(slot: Slot): void {
    if (slot.restarting) return;
    slot.restarting = (async () => {
      while (!this.closed) {
        const delay = this.restartDelay(slot.failures);
        if (delay > 0) await sleep(delay);
        if (this.closed) return;
        try {
          // The slot's own ports: if something else took them meanwhile, this fails and the
          // back-off tries again rather than moving clients and firewall rules elsewhere.
          const spawned = await spawn(this.options, slot.ports, slot.index);
          if (this.closed) {
            spawned.worker.close();
            return;
          }
          slot.current = this.pooled(spawned);
          this.watch(slot, slot.current);
          log.info('worker.restarted', { worker: slot.index, pid: spawned.worker.pid, afterFailures: slot.failures });
          return;
        } catch (err) {
          slot.failures++;
          log.error('worker.restart_failed', { worker: slot.index, failuresInARow: slot.failures, ...errorFields(err) });
        }
      }
    })().finally(() => {
      slot.restarting = undefined;
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Each worker's current load, for tests and diagnostics. */
  loads(): WorkerLoad[] {
    return this.slots.map(({ index, current: e }) => ({
      worker: index,
      pid: e.worker.pid,
      ports: { ...e.ports },
      alive: e.alive,
      routers: e.routers,
      consumers: e.consumers,
    }));
  }

  private leastLoaded(): PooledWorker | undefined {
    return this.slots
      .map((s) => s.current)
      .filter((e) => e.alive)
      .reduce<PooledWorker | undefined>(
        (best, e) => (best === undefined || e.routers + e.consumers < best.routers + best.consumers ? e : best),
        undefined,
      );
  }

  /**
   * A router on the least-loaded live worker. With every worker down, waits for a restart
   * under way instead of failing (a session moving off a dead worker lands on its
   * replacement; restarts never give up); NoWorkerError only once the pool is closed.
   */
  async createRouter(options: CreateRouterOptions = {}): Promise<MediaRouter> {
    if (this.closed) throw new NoWorkerError();
    let entry = this.leastLoaded();
    while (!entry) {
      const restarts = this.slots.flatMap((s) => (s.restarting ? [s.restarting] : []));
      if (this.closed || restarts.length === 0) throw new NoWorkerError();
      await Promise.race(restarts);
      entry = this.leastLoaded();
    }
    const chosen = entry;
    // Count the router before awaiting so concurrent sessions spread across workers.
    chosen.routers++;
    let router: MediaRouter;
    try {
      router = await chosen.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { webRtcServer: chosen.webRtcServer } });
    } catch (err) {
      chosen.routers--;
      throw err;
    }
    router.observer.on('close', () => {
      chosen.routers--;
    });
    router.observer.on('newtransport', (transport: ms.Transport) => {
      transport.observer.on('newconsumer', (consumer: ms.Consumer) => {
        chosen.consumers++;
        consumer.observer.on('close', () => {
          chosen.consumers--;
        });
      });
    });
    const { onLost } = options;
    if (onLost) {
      // Only a worker's end emits this; a router closed by its room does not.
      router.on('workerclose', () => {
        if (!this.closed) chosen.lost.push({ router, onLost });
      });
    }
    log.info('router.created', { worker: this.slots.findIndex((s) => s.current === chosen), routerId: router.id });
    return router;
  }

  close(): void {
    this.closed = true;
    // Closing a worker closes its WebRtcServer and frees its ports.
    for (const s of this.slots) s.current.worker.close();
  }
}
