/**
 * The console at the sizes it allows (issue 24): its minimum window width (900 px) at 100 %,
 * and a 1280×720 window at 150 % zoom, which lays out as an 853×480 CSS-pixel window (the
 * screenshot shows that layout at one device pixel per CSS pixel).
 * At each, no control may be pushed out of reach: the page does not scroll sideways, and every
 * control lies inside the window's width (a table that scrolls sideways within its own box may
 * hold controls past it). A screenshot of each is saved as `console-<zoom>-<screen>.png`. The
 * window is put back after.
 */
import { mkdirSync } from 'node:fs';
import { expect, type Page, type TestInfo } from './e2eTest';

export const CONSOLE_SIZES = [
  { name: '900px', width: 900, height: 700 },
  { name: '150pct', width: 853, height: 480 },
] as const;

interface Overflow {
  what: string;
  right: number;
}

export async function expectConsoleFits(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  try {
    for (const size of CONSOLE_SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      // Two frames for the layout to settle at the new width.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const found = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const scrollsSideways = (el: Element | null): boolean => {
          for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
            const x = getComputedStyle(e).overflowX;
            if ((x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth) return true;
          }
          return false;
        };
        const out: Overflow[] = [];
        const controls = document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex]:not([tabindex="-1"])');
        for (const el of controls) {
          const box = el.getBoundingClientRect();
          if (box.width === 0 || box.height === 0) continue;
          if ((box.left < -1 || box.right > width + 1) && !scrollsSideways(el.parentElement)) {
            out.push({ what: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`, right: Math.round(box.right) });
          }
        }
        return { page: document.documentElement.scrollWidth - width, out };
      });
      expect(found.page, `${screen} at ${size.name}: the page scrolls sideways by ${found.page} px`).toBeLessThanOrEqual(1);
      expect(found.out, `${screen} at ${size.name}: controls past the window's edge`).toEqual([]);
      mkdirSync('test-results/screenshots', { recursive: true });
      const body = await page.screenshot({ path: `test-results/screenshots/console-${size.name}-${screen}.png` });
      await testInfo.attach(`console-${size.name}-${screen}`, { body, contentType: 'image/png' });
    }
  } finally {
    await page.setViewportSize(original);
  }
}
