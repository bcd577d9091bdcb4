/**
 * Playwright's `test`, with one thing more for every end-to-end test: the browser contexts a
 * test opens (`browser.newContext()`) are closed when it ends. Playwright closes only the
 * contexts of its own `page` and `context` fixtures; the rest stay open until the worker ends,
 * so before this every console and participant page of every earlier test was still running
 * (cameras capturing, videos drawn, reconnects tried against servers long gone) while later
 * tests ran: 23 renderer processes by the fifteenth test of a full run, a load average of 7 on
 * two cores, and tests failing for want of CPU late in the run.
 *
 * They are closed after the test's own `afterEach` hooks, so servers a test stops there still
 * stop with their clients connected, as a server does when it is stopped under a live call.
 * Contexts opened before the test (in a `beforeAll`) are the file's to close; a serial file
 * whose tests carry a page from one to the next says `test.use({ contextsLast: 'file' })` and
 * closes them in its `afterAll` (`closeContexts`).
 */
import { test as base, type Browser } from '@playwright/test';

export * from '@playwright/test';

export const test = base.extend<{ contextsLast: 'test' | 'file'; closesItsContexts: void }>({
  contextsLast: ['test', { option: true }],
  closesItsContexts: [
    async ({ browser, contextsLast }, use) => {
      const before = new Set(browser.contexts());
      await use();
      if (contextsLast === 'test') await closeContexts(browser, before);
    },
    { auto: true },
  ],
});

/** Closes the browser's contexts, but for those in `keep`. */
export async function closeContexts(browser: Browser, keep: ReadonlySet<unknown> = new Set()): Promise<void> {
  await Promise.all(browser.contexts().filter((context) => !keep.has(context)).map((context) => context.close()));
}
