/**
 * What an operator's Prometheus reads (`GET /metrics` on `metricsPort`, a listener of its own,
 * on loopback unless `metricsHost` says otherwise, so the public port never shows it): the
 * sessions this server hosts and the people in them, each media worker's routers, consumers
 * and CPU, session leases taken, lost and taken over, and Node's own process figures. Counts and ids of
 * workers only: never a session, a person or an address.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { createLogger, errorFields } from '../../common/logger.js';
import type { WorkerPool } from '../media/workerPool.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';

const log = createLogger('metrics');

/** The kernel's clock ticks per second for /proc/PID/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's user and system CPU time so far, in seconds; undefined when it cannot be read. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after its closing paren.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface Metrics {
  /** A session's lease taken by this server (it began hosting it). */
  leaseTaken(): void;
  /** A session's lease lost to another server (its room here closed). */
  leaseLost(): void;
  /** A session taken over from a server whose lease ran out while it hosted it (it died). */
  takenOver(): void;
  /** Serves `/metrics` on `port` at `host`; resolves to its URL. */
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

export function createMetrics(deps: { rooms: RoomRegistry; workers: WorkerPool }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'confidant_sessions_hosted',
    help: 'Live sessions whose room is open on this server',
    registers,
    collect() {
      this.set(deps.rooms.sessionIds().length);
    },
  });
  new Gauge({
    name: 'confidant_peers',
    help: 'People connected to the rooms of this server (waiting, admitted and reconnecting)',
    registers,
    collect() {
      this.set(deps.rooms.sessionIds().reduce((n, id) => n + (deps.rooms.get(id)?.size ?? 0), 0));
    },
  });
  const perWorker = (name: string, help: string, value: (load: ReturnType<WorkerPool['loads']>[number]) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const load of deps.workers.loads()) {
          const v = value(load);
          if (v !== undefined) this.set({ worker: String(load.worker) }, v);
        }
      },
    });
  perWorker('confidant_worker_routers', 'Routers (one per hosted session) on each media worker', (l) => l.routers);
  perWorker('confidant_worker_consumers', 'Consumers (one per receiver per track) on each media worker', (l) => l.consumers);
  perWorker('confidant_worker_up', 'Whether each media worker is running (1) or being restarted (0)', (l) => (l.alive ? 1 : 0));
  perWorker('confidant_worker_cpu_seconds_total', 'User and system CPU time each media worker process has used', (l) => cpuSecondsOf(l.pid));
  const taken = new Counter({ name: 'confidant_session_leases_taken_total', help: 'Sessions this server began hosting', registers });
  const lost = new Counter({ name: 'confidant_session_leases_lost_total', help: 'Sessions another server took over from this one', registers });
  const takeovers = new Counter({
    name: 'confidant_session_takeovers_total',
    help: 'Sessions this server took over from a server whose lease ran out while it hosted them',
    registers,
  });

  let server: Server | undefined;
  return {
    leaseTaken: () => taken.inc(),
    leaseLost: () => lost.inc(),
    takenOver: () => takeovers.inc(),
    listen(host, port) {
      server = createServer((req, res) => {
        if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
          res.writeHead(404).end();
          return;
        }
        registry.metrics().then(
          (text) => res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
          (err: unknown) => {
            log.error('metrics.failed', errorFields(err));
            res.writeHead(500).end();
          },
        );
      });
      const listening = server;
      return new Promise((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          const { port: bound } = listening.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`);
        });
      });
    },
    async close() {
      const s = server;
      if (!s) return;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
