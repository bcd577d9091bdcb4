/**
 * mediasoup workers, one per core at most (each worker is one single-threaded process).
 * Each session's router goes to the least-loaded live worker, load being routers plus
 * consumers (DESIGN.md, "Scale": a worker carries about 500 consumers). A worker that dies
 * is logged and skipped; restarting workers is left to a later issue.
 */
import { createWorker, type types as ms } from 'mediasoup';
import { createLogger } from '../logger.js';
import { MEDIA_CODECS } from './codecs.js';

const log = createLogger('media');

export interface WorkerPoolOptions {
  workers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

interface PooledWorker {
  index: number;
  worker: ms.Worker;
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

export class WorkerPool {
  private closed = false;

  private constructor(private readonly entries: PooledWorker[]) {}

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const started = await Promise.allSettled(
      Array.from({ length: options.workers }, () =>
        createWorker({ logLevel: 'warn', rtcMinPort: options.rtcMinPort, rtcMaxPort: options.rtcMaxPort }),
      ),
    );
    const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (workers.length < started.length) {
      for (const w of workers) w.close();
      const failure = started.find((r) => r.status === 'rejected');
      throw failure?.status === 'rejected' && failure.reason instanceof Error
        ? failure.reason
        : new Error('a mediasoup worker failed to start');
    }
    const pool = new WorkerPool(
      workers.map((worker, index) => ({ index, worker, alive: true, routers: 0, consumers: 0 })),
    );
    for (const entry of pool.entries) pool.watch(entry);
    log.info('workers.started', { count: workers.length });
    return pool;
  }

  private watch(entry: PooledWorker): void {
    entry.worker.on('died', (error: Error) => {
      entry.alive = false;
      if (!this.closed) log.error('worker.died', { worker: entry.index, pid: entry.worker.pid, errorType: error.name });
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Each worker's current load, for tests and diagnostics. */
  loads(): { worker: number; alive: boolean; routers: number; consumers: number }[] {
    return this.entries.map((e) => ({ worker: e.index, alive: e.alive, routers: e.routers, consumers: e.consumers }));
  }

  async createRouter(): Promise<ms.Router> {
    const live = this.entries.filter((e) => e.alive);
    const entry = live.reduce<PooledWorker | undefined>(
      (best, e) => (best === undefined || e.routers + e.consumers < best.routers + best.consumers ? e : best),
      undefined,
    );
    if (!entry) throw new NoWorkerError();
    // Count the router before awaiting so concurrent sessions spread across workers.
    entry.routers++;
    let router: ms.Router;
    try {
      router = await entry.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    } catch (err) {
      entry.routers--;
      throw err;
    }
    router.observer.on('close', () => {
      entry.routers--;
    });
    router.observer.on('newtransport', (transport: ms.Transport) => {
      transport.observer.on('newconsumer', (consumer: ms.Consumer) => {
        entry.consumers++;
        consumer.observer.on('close', () => {
          entry.consumers--;
        });
      });
    });
    log.info('router.created', { worker: entry.index, routerId: router.id });
    return router;
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries) e.worker.close();
  }
}
