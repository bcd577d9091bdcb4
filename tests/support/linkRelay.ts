/**
 * A relay for one end of a weak link (tests/support/weakLink.ts): listens on `--listen` at each
 * of the given UDP and TCP ports and forwards to the same ports at `--to`. UDP datagrams can be
 * delayed and dropped at random, each way on its own, which `tc tbf` cannot do (it only queues
 * and drops what overflows) and `netem` is not available here. TCP (signaling, and media over
 * TCP) is piped as it is: TCP resends what is lost, so dropping it would only add delay.
 *
 * Run as its own process, inside a network namespace where it needs to be:
 *   node --import tsx linkRelay.ts --listen 127.0.0.1 --to 10.89.0.1 --udp 40000 --tcp 40000,8080
 * It prints "ready" once every port listens. Lines on its standard input change the faults:
 *   "loss up 0.05", "loss down 0", "delay 40" (ms, both ways). "up" is what arrives at the
 * listening side and goes on to `--to`; "down" is what comes back.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    listen: { type: 'string' },
    to: { type: 'string' },
    udp: { type: 'string', default: '' },
    tcp: { type: 'string', default: '' },
  },
});
const listenHost = values.listen;
const toHost = values.to;
if (!listenHost || !toHost) throw new Error('linkRelay needs --listen and --to');
const ports = (list: string): number[] => list.split(',').filter(Boolean).map(Number);

const faults = { up: 0, down: 0, delayMs: 0 };

/** Sends `send` after the delay, unless this direction's loss drops it. */
function pass(direction: 'up' | 'down', send: () => void): void {
  if (Math.random() < faults[direction]) return;
  if (faults.delayMs > 0) setTimeout(send, faults.delayMs);
  else send();
}

function relayUdp(port: number): Promise<void> {
  const outside = createSocket('udp4');
  /** One socket toward `--to` per sender, so replies find their way back. */
  const flows = new Map<string, Socket>();
  outside.on('message', (message: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const socket = createSocket('udp4');
      socket.on('message', (reply: Buffer) => pass('down', () => outside.send(reply, from.port, from.address)));
      socket.on('error', () => undefined);
      flows.set(key, socket);
      flow = socket;
    }
    const upstream = flow;
    pass('up', () => upstream.send(message, port, toHost));
  });
  outside.on('error', (err) => {
    process.stderr.write(`udp ${port}: ${err.message}\n`);
  });
  return new Promise((resolve) => outside.bind(port, listenHost, () => resolve()));
}

function relayTcp(port: number): Promise<void> {
  const server = createServer((inbound) => {
    const outbound = connect(port, toHost);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end);
    outbound.on('error', end);
    inbound.on('close', end);
    outbound.on('close', end);
  });
  return new Promise((resolve) => server.listen(port, listenHost, () => resolve()));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [what, a, b] = line.trim().split(/\s+/);
  if (what === 'loss' && (a === 'up' || a === 'down')) faults[a] = Number(b);
  else if (what === 'delay') faults.delayMs = Number(a);
});
// The test ends the relay by closing its input (or a signal).
process.stdin.on('end', () => process.exit(0));

await Promise.all([...ports(values.udp).map(relayUdp), ...ports(values.tcp).map(relayTcp)]);
process.stdout.write('ready\n');
