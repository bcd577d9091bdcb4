/**
 * A client's steps on the participant page, and the knocks a test's facilitator socket has
 * collected, for the participant specs. `info` is read when a step runs (it is set in beforeAll).
 */
import { mkdirSync } from 'node:fs';
import { expect, type Browser, type Page, type TestInfo } from './e2eTest';
import type { DemoInfo, Participant } from '../../src/shared/protocol';
import { linkWithSecret } from './testKeyHolder';

export function participantSteps(info: () => DemoInfo, knocks: Participant[], shotsDir: string) {
  function invitation(i: number) {
    const inv = info().invitations[i];
    if (!inv) throw new Error(`no invitation ${i}`);
    return inv;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${shotsDir}/participant-${name}.png`, fullPage: true });
  }

  async function enterPasscode(page: Page, passcode: string): Promise<void> {
    await page.getByLabel('Enter the passcode your therapist sent you').fill(passcode);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  /** From a fresh page to the waiting room with the given name; `prepare` runs before the page opens. */
  async function checkIn(browser: Browser, inviteIndex: number, name: string, prepare?: (page: Page) => Promise<unknown>): Promise<Page> {
    const page = await newPage(browser);
    await recordAnnouncements(page);
    await prepare?.(page);
    const inv = invitation(inviteIndex);
    // As the console issues it: with the secret the test's facilitator vouches for (testKeyHolder.ts).
    await page.goto(linkWithSecret(info(), inv));
    await enterPasscode(page, inv.passcode);
    await page.getByLabel('First name or pseudonym').fill(name);
    await page.getByLabel('I agree to keep what is shared in this group confidential').check();
    await page.getByRole('button', { name: /Check in/ }).click();
    await expect(page.getByRole('heading', { name: 'Waiting for your therapist to let you in' })).toBeVisible();
    return page;
  }

  async function knockFrom(name: string): Promise<Participant> {
    await expect.poll(() => knocks.some((k) => k.displayName === name), { timeout: 10_000 }).toBe(true);
    const knock = knocks.find((k) => k.displayName === name);
    if (!knock) throw new Error(`no knock from ${name}`);
    return knock;
  }

  return { invitation, shot, enterPasscode, checkIn, knockFrom };
}

/**
 * A page in a browser context of its own, closed with the page: axe (tests/support/axe.ts)
 * needs a context it may open a page in, which `browser.newPage()`'s is not.
 */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A page the browser closes as it shuts down (the end of the worker) takes its context with
  // it: the close asked for here then fails with the browser's reason, and that is no error.
  page.on('close', () => void context.close().catch(() => undefined));
  return page;
}

/**
 * Records, in order, every text the page's polite status region (`announcer`) says, from the
 * page's next navigation on: a screen reader may hear only the last of two quick changes, the
 * test reads them all. Call before `goto`.
 */
export async function recordAnnouncements(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const said: string[] = [];
    (window as unknown as { announced: string[] }).announced = said;
    let last = '';
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="announcer"]')?.textContent ?? '';
      if (text === last) return;
      last = text;
      if (text.trim()) said.push(text.trim());
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

/** What the page's status region has said so far (recordAnnouncements), in order. */
export async function announcements(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as unknown as { announced?: string[] }).announced ?? [])]);
}

/**
 * Waits until the page's status region has said something matching `said`; with `since` (how
 * many announcements there were before, from announcements()), something after those.
 */
export async function expectAnnounced(page: Page, said: RegExp, since = 0): Promise<void> {
  await expect
    .poll(async () => (await announcements(page)).slice(since).some((a) => said.test(a)), { message: `announced ${String(said)}`, timeout: 10_000 })
    .toBe(true);
}

/** Nothing the page's status region said contains any of `secrets` (a client's crisis details, say). */
export async function expectNeverAnnounced(page: Page, secrets: string[]): Promise<void> {
  const said = await announcements(page);
  expect(said.length, 'the status region was recorded').toBeGreaterThan(0);
  for (const secret of secrets) expect(said.filter((a) => a.includes(secret)), `announced "${secret}"`).toEqual([]);
}

/** A narrow phone, and a 1280×800 window at 200 % zoom (a 640×400 CSS-pixel viewport at twice the pixels). */
const REFLOW_VIEWS = [
  { name: '320px', width: 320, height: 640, scale: 1 },
  { name: 'zoom200', width: 640, height: 400, scale: 2 },
] as const;

/**
 * At 320 px wide and at 200 % zoom (issue 24): the page does not scroll sideways, and every
 * control on it (or within `scope`, a selector, when a panel covers the rest) can be scrolled
 * into view, whole across, and is not covered by anything else. A screenshot of each view goes
 * to test-results/screenshots/participant-<view>-<screen>.png. The viewport is put back after.
 */
export async function expectReachable(page: Page, testInfo: TestInfo, screen: string, scope?: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  mkdirSync('test-results/screenshots', { recursive: true });
  try {
    for (const view of REFLOW_VIEWS) {
      await page.setViewportSize({ width: view.width, height: view.height });
      // Zoom: twice the device pixels per CSS pixel, as a browser zoomed to 200 % has.
      const cdp = view.scale === 1 ? null : await page.context().newCDPSession(page);
      await cdp?.send('Emulation.setDeviceMetricsOverride', { width: view.width, height: view.height, deviceScaleFactor: view.scale, mobile: false });
      try {
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
        expect(await page.evaluate(() => window.devicePixelRatio), `${screen} at ${view.name}: device pixel ratio`).toBe(view.scale);
        const unreachable = await page.evaluate(findUnreachable, scope ?? null);
        const name = `participant-${view.name}-${screen}`;
        // The whole page, to see every control at once; the call (its controls docked at the
        // window's foot) as the window shows it.
        await page.evaluate(() => window.scrollTo(0, 0));
        const fullPage = (await page.locator('.app--call').count()) === 0;
        const body = await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage });
        await testInfo.attach(name, { body, contentType: 'image/png' });
        expect.soft(unreachable, `${screen} at ${view.name}: controls out of reach`).toEqual([]);
      } finally {
        await cdp?.detach();
      }
    }
  } finally {
    await page.setViewportSize(original);
  }
}

/** In the page: what keeps a control out of reach at the current size (run by expectReachable). */
function findUnreachable(scope: string | null): string[] {
  const describe = (el: Element | null): string => {
    if (!el) return 'nothing';
    const label = el.getAttribute('aria-label') ?? (el instanceof HTMLInputElement ? el.labels?.[0]?.textContent : null) ?? el.textContent ?? '';
    return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${label.trim().slice(0, 40)}"`;
  };
  const problems: string[] = [];
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth > window.innerWidth) problems.push(`the page scrolls sideways: ${root.scrollWidth}px wide in ${window.innerWidth}px`);
  const within = scope ? document.querySelector(scope) : document.body;
  if (!within) return [`nothing matches ${scope}`];
  const controls = within.querySelectorAll<HTMLElement>('button, input, textarea, select, a[href], [tabindex]:not([tabindex="-1"])');
  for (const el of controls) {
    // Shown when focused, by design.
    if (el.classList.contains('skip-link')) continue;
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    // In view only because a box that clips without a scroll bar was scrolled, as focus can
    // but a finger or a mouse wheel cannot: out of reach for most.
    let clipping: Element | null = null;
    for (let box = el.parentElement; box && box !== document.body && !clipping; box = box.parentElement) {
      const { overflowX, overflowY } = getComputedStyle(box);
      const clips = (o: string) => o === 'hidden' || o === 'clip';
      if ((clips(overflowY) && box.scrollTop > 0) || (clips(overflowX) && box.scrollLeft > 0)) clipping = box;
    }
    if (clipping) {
      problems.push(`${describe(el)}: only in view by scrolling ${describe(clipping)}, which has no scroll bar`);
      continue;
    }
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) {
      problems.push(`${describe(el)}: not shown`);
      continue;
    }
    if (box.left < -0.5 || box.right > width + 0.5) {
      problems.push(`${describe(el)}: cut off at the side (${Math.round(box.left)} to ${Math.round(box.right)} of ${width})`);
      continue;
    }
    const x = box.left + box.width / 2;
    const y = Math.min(Math.max(box.top + box.height / 2, 1), window.innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    const labels = el instanceof HTMLInputElement ? [...(el.labels ?? [])] : [];
    if (!hit || !(el.contains(hit) || labels.some((l) => l.contains(hit)))) problems.push(`${describe(el)}: covered by ${describe(hit)}`);
  }
  return problems;
}

/**
 * With `prefers-reduced-motion: reduce`, nothing on the page moves: no animation and no
 * transition on any element or its ::before and ::after. Put back to no preference after.
 */
export async function expectStill(page: Page, screen: string): Promise<void> {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    const moving = await page.evaluate(() => {
      const found: string[] = [];
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
          const style = getComputedStyle(el, pseudo);
          const durations = style.transitionDuration.split(',').map((d) => parseFloat(d));
          if (style.animationName !== 'none' || durations.some((d) => d > 0)) {
            found.push(`${el.tagName.toLowerCase()}.${String(el.className)}${pseudo ?? ''}: animation ${style.animationName}, transition ${style.transitionDuration}`);
          }
        }
      }
      return found;
    });
    expect(moving, `${screen}: moves with reduced motion asked for`).toEqual([]);
  } finally {
    await page.emulateMedia({ reducedMotion: 'no-preference' });
  }
}

/** The names of the animations running on the page's elements (and their ::before and ::after). */
export async function animationsOn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const names = new Set<string>();
    for (const el of document.querySelectorAll('*')) {
      for (const pseudo of [null, '::before', '::after']) {
        const name = getComputedStyle(el, pseudo).animationName;
        if (name !== 'none') names.add(name);
      }
    }
    return [...names];
  });
}
