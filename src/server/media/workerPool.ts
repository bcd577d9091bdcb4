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
 */
import { createWorker, type types as ms } from 'mediasoup';
import { createLogger, errorFields } from '../logger.js';
import { MEDIA_CODECS } from './codecs.js';

const log = createLogger('media');

export interface WorkerPoolOptions {
  workers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Overrides RESTART_DELAYS_MS (tests shorten the back-off to reach its cap quickly). */
  restartDelaysMs?: readonly number[];
}

/**
 * Waits before each restart of a slot whose worker failed 1, 2, … times in a row; past the
 * last, the last holds (the cap). The first is immediate: a session is without media until
 * its new router exists.
 */
export const RESTART_DELAYS_MS: readonly number[] = [0, 500, 1_000, 2_000, 5_000, 10_000];
/** A worker that lived this long before dying was healthy; its death starts a new count. */
const STABLE_AFTER_MS = 30_000;

/** Called once a router's worker has died; the router and all it held are closed already. */
export type RouterLostListener = (router: ms.Router) => void;

export interface CreateRouterOptions {
  onLost?: RouterLostListener;
}

interface PooledWorker {
  worker: ms.Worker;
  alive: boolean;
  startedAt: number;
  routers: number;
  consumers: number;
  /** Routers closed by this worker's death, announced to their owners once it is handled. */
  lost: { router: ms.Router; onLost: RouterLostListener }[];
}

/** One place in the pool; its worker is replaced when it dies. */
interface Slot {
  index: number;
  current: PooledWorker;
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

function spawn(options: WorkerPoolOptions): Promise<ms.Worker> {
  return createWorker({ logLevel: 'warn', rtcMinPort: options.rtcMinPort, rtcMaxPort: options.rtcMaxPort });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class WorkerPool {
  private closed = false;
  private readonly slots: Slot[];

  private constructor(
    private readonly options: WorkerPoolOptions,
    workers: ms.Worker[],
  ) {
    this.slots = workers.map((worker, index) => {
      const slot: Slot = { index, current: this.pooled(worker), failures: 0, restarting: undefined };
      this.watch(slot, slot.current);
      return slot;
    });
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: options.workers }, () => spawn(options)));
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (workers.length < started.length) {
      for (const w of workers) w.close();
      const failure = started.find((r) => r.status === 'rejected');
      throw failure?.status === 'rejected' && failure.reason instanceof Error
        ? failure.reason
        : new Error('a mediasoup worker failed to start');
    }
    const pool = new WorkerPool(options, workers);
    log.info('workers.started', { count: workers.length });
    return pool;
  }

  private pooled(worker: ms.Worker): PooledWorker {
    return { worker, alive: true, startedAt: Date.now(), routers: 0, consumers: 0, lost: [] };
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

  /** The back-off before a restart after `failures` in a row: growing, then held at its cap. */
  private restartDelay(failures: number): number {
    const delays = this.options.restartDelaysMs ?? RESTART_DELAYS_MS;
    return delays[Math.min(Math.max(failures, 1), delays.length) - 1] ?? 0;
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
          const worker = await spawn(this.options);
          if (this.closed) {
            worker.close();
            return;
          }
          slot.current = this.pooled(worker);
          this.watch(slot, slot.current);
          log.info('worker.restarted', { worker: slot.index, pid: worker.pid, afterFailures: slot.failures });
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
  async createRouter(options: CreateRouterOptions = {}): Promise<ms.Router> {
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
    let router: ms.Router;
    try {
      router = await chosen.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
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
    for (const s of this.slots) s.current.worker.close();
  }
}
