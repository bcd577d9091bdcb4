/**
 * A Spanish-speaking client, end to end (issue 23): a browser in Spanish opens the invitation,
 * enters the passcode, reads and accepts the Spanish group agreement, waits, is admitted from
 * the real console renderer (which shows the client's language beside the knock), takes part
 * in the group chat and leaves, through the real server and SFU. On every one of those screens
 * not one English word of the page's catalogue is to be seen (or heard by a screen reader:
 * hidden text and labels count too), axe finds nothing, and a screenshot is kept. The switch
 * to English and back works, at check-in, with the agreement following it.
 *
 * Needs the built page and console: `npm run build`.
 */
import { expect, test, type Page, type TestInfo } from '../support/e2eTest';
import { en } from '../../src/participant/i18n/en';
import { es } from '../../src/participant/i18n/es';
import { expectAccessible } from '../support/axe';
import { consoleWithDemoServer } from '../support/consoleHost';
import { consoleIssuesLink, facilitatorOpensSession, knockOf, snapshot } from '../support/flows';
import { recordAnnouncements } from '../support/participantSteps';

const running = consoleWithDemoServer('test');

/** Every string word of a catalogue by its path; an ending's tone is how it is drawn, not words. */
function wordsOf(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') {
    if (!path.endsWith('.tone')) out.set(path, value);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) for (const [p, w] of wordsOf(inner, path ? `${path}.${key}` : key)) out.set(p, w);
  }
  return out;
}

const spanish = wordsOf(es);
/** The English words a Spanish page must not show: those the Spanish says differently. */
const ENGLISH = [...wordsOf(en)].filter(([path, word]) => spanish.get(path) !== word).map(([, word]) => word);

/** What a person can read or hear on the page: its text (visually hidden text too) and its labels. */
async function readable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, noscript, [hidden]')) continue;
      const text = node.textContent?.trim();
      if (text) found.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(name)?.trim();
        if (value) found.push(value);
      }
    }
    // The document's own title, which a screen reader says on arrival.
    found.push(document.title);
    return found;
  });
}

/**
 * Fails if any English word of the catalogue is on the page: a whole text equal to one, or a
 * text containing one long enough not to be a chance match of a short word.
 */
function englishIn(texts: string[]): string[] {
  return texts.filter((text) => ENGLISH.some((word) => text === word || (word.length >= 12 && text.includes(word))));
}

async function expectNoEnglish(page: Page, screen: string): Promise<void> {
  const texts = await readable(page);
  expect(englishIn(texts), `English on the Spanish ${screen} screen`).toEqual([]);
  // And something Spanish is there: the check is not passing on an empty page.
  expect(texts.some((text) => [...spanish.values()].includes(text)), `Spanish words on the ${screen} screen`).toBe(true);
}

async function screenInSpanish(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expectNoEnglish(page, screen);
  await expectAccessible(page, testInfo, `participant-${screen}-es`);
  await snapshot(page, testInfo, `participant-${screen}-es`);
}

test('a Spanish-speaking client joins, agrees, waits and takes part without one English word', async ({ browser }, testInfo) => {
  const consolePage = await (await browser.newContext()).newPage();
  await running.host.attach(consolePage);
  const { info } = running.demo;
  await facilitatorOpensSession(consolePage, running.host, info);
  const link = await consoleIssuesLink(consolePage, info.sessionId, info.invitations[0]!);

  // A browser in Spanish: the page is in Spanish from the first screen.
  const context = await browser.newContext({ locale: 'es-ES' });
  const page = await context.newPage();
  await recordAnnouncements(page);
  await page.goto(link.url);
  await expect(page.getByRole('heading', { name: es.passcode.title })).toBeVisible();
  await expect(page).toHaveTitle(es.page.documentTitle);
  await screenInSpanish(page, testInfo, 'passcode');

  await page.getByLabel(es.passcode.label).fill(link.passcode);
  await page.getByRole('button', { name: es.passcode.submit }).click();
  await expect(page.getByRole('heading', { name: es.checkIn.title })).toBeVisible();
  const agreement = page.getByTestId('agreement');
  await expect(agreement).toHaveAttribute('lang', 'es');
  await expect(agreement).toContainText('Lo que se dice en el grupo se queda en el grupo');
  await screenInSpanish(page, testInfo, 'check-in');

  // The switch to English and back, on this screen: the words and the agreement follow it, and
  // a tick given to one text does not stand for the other.
  const switcher = page.getByTestId('language-switch');
  await page.getByRole('checkbox', { name: es.checkIn.agreeLabel }).check();
  await switcher.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: en.checkIn.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(agreement).toHaveAttribute('lang', 'en');
  await expect(agreement).toContainText('What is said in group stays in group.');
  await expect(page.getByRole('checkbox', { name: en.checkIn.agreeLabel })).not.toBeChecked();
  await expect(switcher.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
  // The check above would have seen it: the same screen in English is full of English words.
  expect(englishIn(await readable(page)).length).toBeGreaterThan(20);
  await snapshot(page, testInfo, 'participant-check-in-switched-to-en');
  await switcher.getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { name: es.checkIn.title })).toBeVisible();
  await expect(agreement).toContainText('Lo que se dice en el grupo se queda en el grupo');
  await expectNoEnglish(page, 'check-in (back from English)');

  await page.getByLabel(es.checkIn.nameLabel).fill('Lucía');
  await page.getByRole('checkbox', { name: es.checkIn.agreeLabel }).check();
  await page.getByRole('button', { name: es.checkIn.submit }).click();
  await expect(page.getByRole('heading', { name: es.waiting.title })).toBeVisible();
  await screenInSpanish(page, testInfo, 'waiting');

  // The facilitator sees, beside the knock, that Lucía reads Spanish.
  const knock = knockOf(consolePage, 'Lucía');
  await expect(knock.locator('[data-testid^="language-"]')).toHaveText('Español');
  await expectAccessible(consolePage, testInfo, 'console-knock-language');
  await snapshot(consolePage, testInfo, 'console-knock-spanish');
  await knock.getByRole('button', { name: 'Admit Lucía' }).click();

  // In the group: the call in Spanish, encrypted, and Lucía in the console's list with her language.
  await expect(page.locator('[data-screen="call"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('encryption')).toHaveAttribute('data-state', 'on', { timeout: 15_000 });
  const row = consolePage.locator('[data-testid^="person-"]').filter({ hasText: 'Lucía' });
  await expect(row.locator('[data-testid^="language-"]')).toHaveText('Español');
  await screenInSpanish(page, testInfo, 'call');

  // Taking part: a word in the group chat, read in the console.
  await page.getByTestId('group-chat-toggle').click();
  const chat = page.getByTestId('group-chat-panel');
  await chat.getByLabel(es.chat.yourMessage).fill('Hola a todos, gracias por estar aquí');
  await chat.getByLabel(es.chat.yourMessage).press('Enter');
  await expect(chat.getByRole('log')).toContainText('Hola a todos, gracias por estar aquí');
  const consoleChat = consolePage.getByTestId('group-chat');
  await expect(consoleChat.getByTestId('group-chat-unread')).toHaveText('1');
  await consoleChat.getByRole('button', { name: 'Show' }).click();
  await expect(consoleChat.getByRole('log')).toContainText('Lucía: Hola a todos, gracias por estar aquí');
  await screenInSpanish(page, testInfo, 'call-group-chat');

  // What a screen reader heard along the way was Spanish too.
  const heard = await page.evaluate(() => (window as unknown as { announced: string[] }).announced);
  expect(heard.length).toBeGreaterThan(0);
  expect(englishIn(heard)).toEqual([]);

  await page.getByRole('button', { name: es.call.leaveSession }).click();
  await expect(page.getByRole('heading', { name: es.ended.reasons.left.title })).toBeVisible();
  await screenInSpanish(page, testInfo, 'ended');
  await context.close();
});

test('an English browser gets the English page, and a choice of Spanish is remembered on the device', async ({ browser }, testInfo) => {
  const { info } = running.demo;
  const invitation = info.invitations[1]!;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(invitation.url);
  await expect(page.getByRole('heading', { name: en.passcode.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByTestId('language-switch').getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { name: es.passcode.title })).toBeVisible();
  // Opened again on this device (a new visit, same browser): still Spanish.
  await page.goto(invitation.url);
  await expect(page.getByRole('heading', { name: es.passcode.title })).toBeVisible();
  await screenInSpanish(page, testInfo, 'passcode-remembered');
  await context.close();
});
