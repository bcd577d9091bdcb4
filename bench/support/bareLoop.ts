/**
 * The bare loop's node side (bench/browser/bareLoop.ts is its page): the page built by Vite
 * (with the frame worker beside it) and served from loopback, the bare mediasoup server in a
 * process of its own, and a typed call into a page's `window.bare`. Shared by
 * bench/firstFrame.ts and bench/e2eeCpu.ts.
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'vite';
import { serveBuilt } from './servedPage';

export async function buildBarePage(): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'confidant-bench-'));
  await build({ root: resolve(import.meta.dirname, '../browser'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  return serveBuilt(outDir, (file) => ({ 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }));
}

export async function startBareServer(): Promise<{ url: string; stop(): void }> {
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const child = fork(fileURLToPath(new URL('./bareServer.ts', import.meta.url)), [], { execPath: tsx, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise<{ url: string }>((ok, fail) => {
    child.once('message', (m) => ok(m as { url: string }));
    child.once('exit', (code) => fail(new Error(`bare server exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** What bench/browser/bareLoop.ts puts on `window.bare`. */
export type Bare = {
  connect(url: string): Promise<void>;
  key(raw: number[]): Promise<void>;
  receive(): Promise<void>;
  expect(sealed: boolean): void;
  nextFrame(): Promise<number>;
  forget(): void;
  openCamera(audio?: boolean): Promise<void>;
  send(variant: 'warm' | 'fresh', sealed?: boolean, audio?: boolean): Promise<number>;
  videoReceived(): Promise<{ frames: number; bytes: number; width: number }>;
  counts(): Promise<{ sealed: number; opened: number; dropped: number }>;
  stop(): Promise<void>;
};

export const bareCall = <K extends keyof Bare>(page: Page, method: K, ...args: Parameters<Bare[K]>): Promise<Awaited<ReturnType<Bare[K]>>> =>
  page.evaluate(([m, a]) => (window as unknown as { bare: Record<string, (...x: unknown[]) => unknown> }).bare[m]!(...a), [method, args] as const) as Promise<
    Awaited<ReturnType<Bare[K]>>
  >;
