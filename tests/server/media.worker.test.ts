/**
 * The mediasoup worker as setup builds it (scripts/mediasoup/build-worker.sh): linked against
 * the distribution's OpenSSL 3 and libsrtp 2, never a copy of its own, so security updates to
 * them reach it through apt.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createWorker, workerBin } from 'mediasoup';
import { describe, expect, it } from 'vitest';

/** Each shared library the binary loads, by soname, with the file it resolves to. */
function linked(binary: string): Map<string, string> {
  const libs = new Map<string, string>();
  for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*(\S+) => (\/\S+)/.exec(line);
    if (m) libs.set(m[1]!, realpathSync(m[2]!));
  }
  return libs;
}

describe('the mediasoup worker', () => {
  it('loads the system’s OpenSSL 3, libsrtp 2 and libuv', () => {
    const libs = linked(workerBin);
    for (const soname of ['libssl.so.3', 'libcrypto.so.3', 'libsrtp2.so.1', 'libuv.so.1']) {
      expect(libs.get(soname), soname).toMatch(/^\/(usr\/)?lib\//);
    }
    // No OpenSSL 1.1 alongside (mediasoup 3.8's worker linked its own 1.1.1k).
    expect([...libs.keys()].filter((l) => /^lib(ssl|crypto)\.so\.1/.test(l))).toEqual([]);
    expect(execFileSync('openssl', ['version'], { encoding: 'utf8' })).toMatch(/^OpenSSL 3\./);
  });

  it('starts and answers over its channel', async () => {
    const worker = await createWorker({ logLevel: 'warn' });
    try {
      const dump = await worker.dump();
      expect(dump.pid).toBe(worker.pid);
    } finally {
      worker.close();
    }
  });
});
