/**
 * Doyensec's Electronegativity over src, as `npm run electronegativity` runs it: no HIGH or
 * MEDIUM finding that is not a reviewed false positive, listed with its reason in
 * electronegativity.reviewed.json (and each listed one still found, so the list cannot go
 * stale).
 *
 * The run is the tool's own scanner, called as its CLI calls it: its CSV output is written by
 * two unordered writes (header and rows) that can overwrite each other, so it is not read
 * here. Two things differ from the CLI, both about the network: the
 * AvailableSecurityFixesGlobalCheck is excluded (it downloads Electron's release list) and the
 * Electron version is given (no Electron binary is installed to read it from); and the
 * tool's start-up download of updated translations is replaced by its bundled en-US strings.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Finding {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location: { line: number; column: number };
  sample: string;
}

interface Reviewed {
  check: string;
  file: string;
  sample: string;
  reason: string;
}

type Run = (options: Record<string, unknown>, forCli: boolean) => Promise<{ issues: Finding[]; errors: { file: string; message: string }[] }>;

/** The tool's scanner, with its translations read from its own folder instead of fetched. */
function electronegativity(): Run {
  const require = createRequire(resolve(root, 'node_modules/@doyensec/electronegativity/package.json'));
  const runnerPath = require.resolve('./dist/runner.js');
  const localesDir = join(dirname(runnerPath), 'locales');
  const i18n = require('i18n') as { configure(o: Record<string, unknown>): void; setLocale(l: string): void };
  const loadTranslations = async (): Promise<void> => {
    i18n.configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: localesDir, updateFiles: false, objectNotation: true, retryInDefaultLocale: true, register: globalThis });
    i18n.setLocale('en-US');
  };
  const i18nPath = require.resolve('./dist/locales/i18n.js');
  require.cache[i18nPath] = { id: i18nPath, filename: i18nPath, loaded: true, exports: loadTranslations } as unknown as NodeJS.Module;
  return require(runnerPath) as Run;
}

const script = 'electronegativity -i src -e 45.4.1 -r -x AvailableSecurityFixesGlobalCheck';

describe('Electronegativity', () => {
  it('is what `npm run electronegativity` runs', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // On Confidant's Node, like every npm script (tests/scripts/runtime.test.ts).
    expect(pkg.scripts['electronegativity']).toBe(`bash scripts/with-node.sh ${script}`);
  });

  it('finds nothing HIGH or MEDIUM in src that is not a reviewed false positive', async () => {
    const run = electronegativity();
    const { issues, errors } = await run(
      {
        input: resolve(root, 'src'),
        customScan: [],
        excludeFromScan: ['availablesecurityfixesglobalcheck'],
        isRelative: true,
        isVerbose: true,
        electronVersionOverride: '45.4.1',
        parserPlugins: [],
      },
      false,
    );
    expect(errors, 'files the scanner could not parse').toEqual([]);
    const reviewed = JSON.parse(readFileSync(resolve(import.meta.dirname, 'electronegativity.reviewed.json'), 'utf8')) as Reviewed[];
    for (const r of reviewed) expect(r.reason.length, `${r.check}: a reason`).toBeGreaterThan(40);
    const matches = (f: Finding, r: Reviewed) => f.id === r.check && f.file === r.file && f.sample.includes(r.sample);
    const serious = issues.filter((f) => f.severity.name === 'HIGH' || f.severity.name === 'MEDIUM');
    const unexplained = serious.filter((f) => !reviewed.some((r) => matches(f, r)));
    expect(unexplained.map((f) => `${f.severity.name} ${f.id} ${f.file}:${f.location.line} ${f.sample}`)).toEqual([]);
    const stale = reviewed.filter((r) => !serious.some((f) => matches(f, r)));
    expect(stale.map((r) => r.check), 'reviewed findings no longer reported').toEqual([]);
  });
});
