/**
 * One WebRtcServer per worker (workerPool.ts): worker i listens on rtcPort + i, UDP and TCP,
 * and every WebRTC transport on it shares those two sockets, so a flood of transports takes
 * no more ports; a worker that dies is replaced on its slot's ports. The worker's sockets are
 * read from the kernel (/proc), not from what mediasoup reports.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/server/config.js';
import { setLogLevel } from '../../src/common/logger.js';
import { startServer } from '../../src/server/server.js';
import { PeerMedia } from '../../src/server/media/peerMedia.js';
import { UDP_RECV_BUFFER_BYTES, WorkerPool, type MediaRouter } from '../../src/server/media/workerPool.js';
import type { TransportInfo } from '../../src/shared/protocol.js';

setLogLevel('error');

/** The UDP and TCP ports a process has sockets on, from /proc. */
function socketPorts(pid: number): { udp: number[]; tcp: number[] } {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports = (table: string): number[] =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length > 9 && inodes.has(cols[9]!))
      .map((cols) => parseInt(cols[1]!.split(':')[1]!, 16));
  return { udp: [...ports('/proc/net/udp'), ...ports('/proc/net/udp6')], tcp: [...ports('/proc/net/tcp'), ...ports('/proc/net/tcp6')] };
}

/** The receive buffer (bytes) the kernel gives the UDP socket bound to 127.0.0.1:`port`, from iproute2's `ss`. */
function udpReceiveBuffer(port: number): number {
  const out = execFileSync('ss', ['-uanm', 'src', `127.0.0.1:${port}`], { encoding: 'utf8' });
  const rb = /skmem:\([^)]*\brb(\d+)/.exec(out)?.[1];
  if (rb === undefined) throw new Error(`no UDP socket on port ${port} in:\n${out}`);
  return Number(rb);
}

async function isFree(port: number): Promise<boolean> {
  const tcp = createServer();
  const udp = createSocket('udp4');
  try {
    tcp.listen(port, '127.0.0.1');
    await once(tcp, 'listening');
    udp.bind(port, '127.0.0.1');
    await once(udp, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    tcp.close();
    udp.close();
  }
}

/** `count` consecutive ports free for both UDP and TCP on loopback, below the ephemeral range. */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await isFree(p);
    if (free) return base;
  }
}

function candidatePorts(info: TransportInfo): { udp: number[]; tcp: number[] } {
  const of = (protocol: string) => info.iceCandidates.filter((c) => c['protocol'] === protocol).map((c) => Number(c['port']));
  return { udp: of('udp'), tcp: of('tcp') };
}

describe('one WebRtcServer per worker', () => {
  let pool: WorkerPool;
  let rtcPort: number;
  beforeAll(async () => {
    rtcPort = await freePorts(2);
    pool = await WorkerPool.start({ workers: 2, rtcPort, listenIp: '127.0.0.1' });
  });
  afterAll(() => pool.close());

  it('worker i listens on rtcPort + i, UDP and TCP, and nowhere else', () => {
    expect(pool.loads().map((l) => l.ports)).toEqual([
      { udp: rtcPort, tcp: rtcPort },
      { udp: rtcPort + 1, tcp: rtcPort + 1 },
    ]);
    for (const [i, load] of pool.loads().entries()) {
      expect(socketPorts(load.pid)).toEqual({ udp: [rtcPort + i], tcp: [rtcPort + i] });
    }
  });

  it('each worker’s UDP socket has the receive buffer it asks for, as far as the kernel allows (read from the kernel)', () => {
    // Linux keeps twice what a socket asks for (bookkeeping included), after capping the ask at rmem_max.
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    const rmemDefault = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim());
    const expected = 2 * Math.min(UDP_RECV_BUFFER_BYTES, rmemMax);
    for (const [i, load] of pool.loads().entries()) {
      const rb = udpReceiveBuffer(rtcPort + i);
      expect(rb).toBe(expected);
      // Where the kernel allows more than its default, the worker has more than it.
      if (rmemMax > rmemDefault) expect(rb).toBeGreaterThan(rmemDefault);
      expect(load.alive).toBe(true);
    }
  });

  it('every transport of a worker reports its one port, and a flood of them opens no socket', async () => {
    const routers: MediaRouter[] = [await pool.createRouter(), await pool.createRouter()];
    const peers = Array.from({ length: 10 }, (_, i) => new PeerMedia(`peer-${i}`));
    try {
      for (const [w, router] of routers.entries()) {
        const pid = pool.loads()[w]!.pid;
        const before = socketPorts(pid);
        // Ten peers, each up to its cap of four transports: forty on one worker.
        const infos = await Promise.all(peers.flatMap((p) => Array.from({ length: 2 }, () => [p.createTransport(router, 'send'), p.createTransport(router, 'recv')]).flat()));
        expect(infos).toHaveLength(40);
        for (const info of infos) expect(candidatePorts(info)).toEqual({ udp: [rtcPort + w], tcp: [rtcPort + w] });
        expect(socketPorts(pid)).toEqual(before);
        for (const p of peers) p.teardown();
      }
    } finally {
      for (const p of peers) p.closeAll();
      for (const r of routers) r.close();
    }
  });

  it('a worker that dies is replaced on its slot’s ports', async () => {
    const dead = pool.loads()[0]!;
    process.kill(dead.pid, 'SIGKILL');
    await expect.poll(() => pool.loads()[0]!.pid !== dead.pid && pool.loads()[0]!.alive, { timeout: 10_000 }).toBe(true);
    const replacement = pool.loads()[0]!;
    expect(replacement.ports).toEqual({ udp: rtcPort, tcp: rtcPort });
    expect(socketPorts(replacement.pid)).toEqual({ udp: [rtcPort], tcp: [rtcPort] });
    // Its transports listen there too (the pool puts the router on the emptier worker, this one).
    const router = await pool.createRouter();
    const peer = new PeerMedia('after-restart');
    try {
      expect(pool.loads()[0]!.routers).toBe(1);
      expect(candidatePorts(await peer.createTransport(router, 'send'))).toEqual({ udp: [rtcPort], tcp: [rtcPort] });
    } finally {
      peer.closeAll();
      router.close();
    }
  });
});

describe('a media port another program holds', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function startHeld(protocol: 'udp' | 'tcp'): Promise<{ error: unknown; rtcPort: number }> {
    const rtcPort = await freePorts(2);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'confidant-porttaken-'));
    dirs.push(dataDir);
    // The second worker's port, so the message has to say which worker it belongs to.
    const holder = protocol === 'udp' ? createSocket('udp4') : createServer();
    if (holder instanceof Server) holder.listen(rtcPort + 1, '127.0.0.1');
    else holder.bind(rtcPort + 1, '127.0.0.1');
    await once(holder, 'listening');
    try {
      const config = parseConfig({ dataDir, port: 0, rtcPort, workers: 2, participantDir: '/nonexistent' });
      const error = await startServer(config, { recordsKey: randomBytes(32) }).then(
        async (server) => {
          await server.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      return { error, rtcPort };
    } finally {
      holder.close();
    }
  }

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`stops the start with a message naming the port and the rtcPort setting (${protocol.toUpperCase()})`, async () => {
      const { error, rtcPort } = await startHeld(protocol);
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(`media port ${rtcPort + 1} (${protocol.toUpperCase()}) is already in use`);
      expect(message).toContain('worker 2 of 2');
      expect(message).toContain('rtcPort (CONFIDANT_RTC_PORT)');
      // The worker that did start was closed with the failed one: both ports are free again.
      await expect.poll(() => isFree(rtcPort), { timeout: 5_000 }).toBe(true);
    });
  }
});
