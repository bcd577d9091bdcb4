/**
 * Slow HTTP clients (slow loris) against the real server: a request whose headers trickle
 * in is cut at the headers timeout (10 s), one whose body trickles in at the request
 * timeout (30 s), each within a second or two, and the server answers others meanwhile.
 * Both run side by side, so the file takes about half a minute, mostly waiting.
 */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { sharedTestDemo } from './support/sharedDemo.js';

const demo = sharedTestDemo(0);

/** Opens a connection, writes `start`, then one `drip` every second; resolves with seconds until the server closes it. */
function trickle(start: string, drip: string): Promise<number> {
  const port = Number(new URL(demo.info.httpUrl).port);
  return new Promise((resolve, reject) => {
    const began = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(start));
    const timer = setInterval(() => socket.write(drip), 1000);
    socket.on('data', () => undefined); // a 408 may come first; the close is what counts
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve((Date.now() - began) / 1000);
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error('the server kept a slow-loris socket for over 45 s'));
    }, 45_000);
  });
}

it('cuts requests whose headers or body trickle in, and keeps serving others', { timeout: 60_000 }, async () => {
  const headers = trickle('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n');
  const body = trickle(
    'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    ' ',
  );
  // Meanwhile an ordinary request is answered at once.
  expect((await fetch(`${demo.info.httpUrl}/healthz`)).status).toBe(200);
  const [headersSeconds, bodySeconds] = await Promise.all([headers, body]);
  expect(headersSeconds).toBeGreaterThanOrEqual(9.5);
  expect(headersSeconds).toBeLessThan(13);
  expect(bodySeconds).toBeGreaterThanOrEqual(29.5);
  expect(bodySeconds).toBeLessThan(33);
});
