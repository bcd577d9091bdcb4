/**
 * tsx compiles benches with esbuild's keepNames: any function the harness hands a page as
 * code (the console host's bridge init script, the benches' own timers) calls esbuild's
 * `__name` helper, which pages lack. Added as an init script (source text, so it is not
 * itself compiled), it gives pages the same helper, so those functions run as written.
 * Playwright's test runner compiles without keepNames, which is why tests do not need it.
 */
export const KEEP_NAMES_HELPER = `if (!globalThis.__name) globalThis.__name = (target, value) => { try { Object.defineProperty(target, 'name', { value, configurable: true }); } catch {} return target; };`;
