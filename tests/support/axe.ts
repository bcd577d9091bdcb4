/**
 * axe-core (WCAG 2.0 and 2.1, A and AA rules) on a screen of the console or the participant page,
 * from inside the end-to-end flows (issue 24). A serious or critical violation fails the test,
 * naming the rule, what it asks and the elements. A lesser one fails too unless
 * `docs/accessibility.md` lists its rule for that screen (or for every screen, `*`) with why it
 * stays, in its "Lesser findings that stay" table. Every screen checked, and what axe found,
 * is attached to the test's report.
 */
import { readFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from './e2eTest';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

interface Accepted {
  rule: string;
  screen: string;
}

let accepted: Accepted[] | undefined;

/** The lesser findings docs/accessibility.md accepts: `| rule | screen | why |` rows of its table. */
function acceptedFindings(): Accepted[] {
  if (accepted) return accepted;
  const doc = readFileSync(new URL('../../docs/accessibility.md', import.meta.url), 'utf8');
  const section = doc.split(/^## Lesser findings that stay\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  accepted = [...section.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => ({ rule: m[1]!, screen: m[2]! }));
  return accepted;
}

function isAccepted(rule: string, screen: string): boolean {
  return acceptedFindings().some((a) => a.rule === rule && (a.screen === '*' || a.screen.split(/,\s*/).includes(screen)));
}

/**
 * Scans the page as it stands (a screen, or a screen with a dialog or menu open) and fails on
 * what must not be there. `screen` names it, as docs/accessibility.md does.
 */
export async function expectAccessible(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact ?? 'minor',
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
  await testInfo.attach(`axe-${screen}`, {
    body: JSON.stringify({ screen, url: page.url(), passes: results.passes.length, violations: found }, null, 2),
    contentType: 'application/json',
  });
  const refused = found.filter((f) => BLOCKING.has(f.impact) || !isAccepted(f.rule, screen));
  expect(
    refused.map((f) => `${f.impact} ${f.rule}: ${f.help} (${f.targets.join('; ')})`),
    `axe on "${screen}": serious or critical violations, or lesser ones docs/accessibility.md does not list`,
  ).toEqual([]);
}
