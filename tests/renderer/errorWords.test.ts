/**
 * Refusals in the console's words (issue 23): every reason main and the session server can
 * send has words in every console catalogue, and the console shows those words, not the
 * English message the error carries for logs, for a refusal from main and from the server
 * alike; a reason it does not know falls back to its code's words.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcDispatcher } from '../../src/main/ipc/dispatch';
import { createHandlers } from '../../src/main/ipc/handlers';
import { messageOf } from '../../src/renderer/src/bridge';
import { CONSOLE_CATALOGUES, t } from '../../src/renderer/src/i18n';
import { errorText } from '../../src/renderer/src/i18n/errorText';
import { MediaAccessError } from '../../src/client/media';
import { SignalingClosedError } from '../../src/client/signaling';
import { ERROR_CODES, ERROR_REASONS, ProtocolError, type ErrorReason, type Result } from '../../src/shared/protocol';
import { consoleServices } from '../main/support/consoleServices';
import { startDemoServer, type DemoServer } from '../support/demoServer';

const REASONS = Object.keys(ERROR_REASONS) as ErrorReason[];

/** Values that cannot hide in the words: each reason's words must show every one it is given. */
const SAMPLE = { status: 503, schema: 9, version: 7, min: 12, max: 128, hours: 12, weeks: 26, server: 'https://confidant.example', at: '2030-01-02T09:30:00.000Z', until: '2030-01-02T10:45:00.000Z' } as const;

/** Words a person must never read: leftovers of code rather than sentences. */
function codeLeftovers(words: string): string | undefined {
  if (/undefined|NaN|\[object|\$\{|`/.test(words)) return 'an unfilled value';
  if (/\b[a-z]+[A-Z][a-zA-Z]*\b/.test(words)) return 'an identifier';
  if (/\b[A-Z]+_[A-Z_]+\b/.test(words)) return 'a code';
  if (/npm run|\.ts\b|--/.test(words)) return 'a command';
  return undefined;
}

describe('every reason main and the server can send', () => {
  it('is a kebab-case key, and there are reasons for main and the server alike', () => {
    for (const reason of REASONS) expect(reason).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(REASONS).toContain('console-locked');
    expect(REASONS).toContain('sign-in-not-recognised');
  });

  for (const [language, catalogue] of Object.entries(CONSOLE_CATALOGUES)) {
    it(`${language}: has words for each reason and each code, none empty, none with leftovers of code`, () => {
      for (const code of ERROR_CODES) {
        const words = catalogue.errors.byCode[code];
        expect(words.trim(), code).not.toBe('');
        expect(codeLeftovers(words), `${code}: ${words}`).toBeUndefined();
      }
      for (const [reason, words] of Object.entries({ ...catalogue.errors.media, connectionLost: catalogue.errors.connectionLost })) {
        expect(words.trim(), reason).not.toBe('');
        expect(codeLeftovers(words), `${reason}: ${words}`).toBeUndefined();
      }
      for (const reason of REASONS) {
        const word = catalogue.errors.byReason[reason] as string | ((p: Record<string, string | number>) => string);
        const names = ERROR_REASONS[reason] as readonly (keyof typeof SAMPLE)[];
        expect(typeof word, reason).toBe(names.length === 0 ? 'string' : 'function');
        const params = Object.fromEntries(names.map((n) => [n, SAMPLE[n]]));
        const words = typeof word === 'string' ? word : word(params);
        expect(words.trim(), reason).not.toBe('');
        expect(words, reason).not.toContain(reason);
        expect(codeLeftovers(words), `${reason}: ${words}`).toBeUndefined();
        // A number or address shows as given; a time is formatted, so it shows no ISO stamp.
        for (const name of names) {
          const value = SAMPLE[name];
          if (name === 'at' || name === 'until') expect(words, reason).not.toContain(String(value));
          else expect(words, reason).toContain(String(value));
        }
      }
    });
  }

  it('is sent somewhere in main, the server or the shared code (no words for a reason nobody sends)', () => {
    const src = join(__dirname, '../../src');
    const sources = ['main', 'server', 'shared']
      .flatMap((dir) => filesUnder(join(src, dir)))
      .filter((f) => !f.endsWith('errorReasons.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unsent = REASONS.filter((reason) => !sources.includes(`'${reason}'`));
    expect(unsent).toEqual([]);
  });
});

describe('the console shows a refusal', () => {
  let demo: DemoServer;
  beforeAll(async () => {
    demo = await startDemoServer();
  });
  afterAll(async () => {
    await demo?.stop();
  });

  const dispatch = createIpcDispatcher(createHandlers(consoleServices()));
  /** What the renderer's bridge makes of an envelope: the error it throws, in the words it shows. */
  const shown = (result: Result<unknown>): { err: ProtocolError; words: string } => {
    if (result.ok) throw new Error('expected a refusal');
    const err = ProtocolError.fromBody(result.error);
    return { err, words: messageOf(err) };
  };

  it('from main, in the catalogue’s words rather than its English message', async () => {
    const plainHttp = shown(await dispatch('auth:signIn', { serverUrl: 'http://confidant.example', username: 'a', password: 'b' }));
    expect(plainHttp.err).toMatchObject({ code: 'BAD_REQUEST', reason: 'server-address-http' });
    expect(plainHttp.words).toBe(t.errors.byReason['server-address-http']);
    expect(plainHttp.words).not.toBe(plainHttp.err.message);

    // Nobody listens on port 9 here: main's own refusal, with the address it tried.
    const nobody = shown(await dispatch('auth:signIn', { serverUrl: 'http://127.0.0.1:9', username: 'a', password: 'b' }));
    expect(nobody.err).toMatchObject({ code: 'NOT_FOUND', reason: 'server-unreachable', params: { server: 'http://127.0.0.1:9' } });
    expect(nobody.words).toBe(t.errors.byReason['server-unreachable']({ server: 'http://127.0.0.1:9' }));
  });

  it('from the server, in the catalogue’s words for its reason', async () => {
    const wrong = shown(
      await dispatch('auth:signIn', {
        serverUrl: demo.info.httpUrl,
        username: demo.info.facilitator.username,
        password: 'not the password at all',
        totp: '000000',
      }),
    );
    expect(wrong.err).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'sign-in-not-recognised' });
    expect(wrong.words).toBe(t.errors.byReason['sign-in-not-recognised']);
    expect(wrong.words).not.toBe(wrong.err.message);
  });

  it('with a reason it does not know, or without the values its words take, in its code’s words', () => {
    const newer = ProtocolError.fromBody({ code: 'FORBIDDEN', message: 'a refusal from a newer server', reason: 'some-newer-reason' });
    expect(messageOf(newer)).toBe(t.errors.byCode.FORBIDDEN);
    const older = ProtocolError.fromBody({ code: 'CONFLICT', message: 'a refusal from an older server' });
    expect(messageOf(older)).toBe(t.errors.byCode.CONFLICT);
    const partial = ProtocolError.fromBody({ code: 'BAD_REQUEST', message: 'too short', reason: 'password-too-short', params: { minimum: 12 } });
    expect(errorText(partial, t)).toBe(t.errors.byCode.BAD_REQUEST);
    const whole = ProtocolError.fromBody({ code: 'BAD_REQUEST', message: 'too short', reason: 'password-too-short', params: { min: 12 } });
    expect(errorText(whole, t)).toBe(t.errors.byReason['password-too-short']({ min: 12 }));
  });

  it('and a camera that would not start, or a lost connection, in the catalogue’s words too', () => {
    const denied = new MediaAccessError('denied', 'Your browser didn’t allow access to your camera and microphone.');
    expect(messageOf(denied)).toBe(t.errors.media.denied);
    expect(messageOf(new SignalingClosedError('The connection timed out.'))).toBe(t.errors.connectionLost);
    // Nothing the console knows to word: the fault says what it is.
    expect(messageOf(new Error('prepare() or join() must come before publish()'))).toBe('prepare() or join() must come before publish()');
    expect(messageOf('not an error')).toBe(t.room.somethingWrong);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}
