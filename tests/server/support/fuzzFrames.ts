/**
 * Bad input for the signaling fuzz tests: fast-check arbitraries for frames a broken or
 * hostile client might send, a raw socket that sends one frame and reads what comes back,
 * and the properties every answer must have (PROTOCOL.md, "WebSocket /ws").
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { ERROR_CODES, ERROR_REASONS, isErrorReason, MAX_FRAME_BYTES, METHOD_NAMES, type MethodName } from '../../../src/shared/protocol.js';

// ---------------------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------------------

/** What the test sends: JSON-ish text, or bytes in a binary frame. */
export type Frame = { text: string } | { binary: Buffer };

/** Keys that reach prototypes when code copies objects carelessly. */
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

/** Number literals that do not survive as themselves: overflow, precision loss, negative zero. */
const awkwardNumberText = fc.constantFrom(
  '1e309',
  '-1e309',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
  '1e-400',
  '-0',
  '0.0000001',
  '1.0',
  '4.5',
  '-1',
  '2147483648',
);

const numberText = fc.oneof(
  awkwardNumberText,
  fc.nat().map(String),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);

/** Strings from every plane, lone surrogates and control characters included. */
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\ud800', '\udfff', '🙂'.repeat(40), 'a'.repeat(600)),
);

/** An object literal's text whose keys include prototype-polluting ones, written by hand
 * because building such an object in JS and serialising it would lose `__proto__`. */
function objectText(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...POLLUTING_KEYS), anyString);
  return fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** Any JSON value's text, awkward numbers and polluting keys included. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false'),
    numberText,
    anyString.map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    objectText(tie('value')),
  ),
})).value;

/** Arrays or objects nested thousands deep, up to just under the frame limit. */
const deepText = fc
  .tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean())
  .map(([depth, objects]) => (objects ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth)));

/** Method names: real ones, near misses, prototype members and noise. */
const methodText = fc.oneof(
  fc.constantFrom(...METHOD_NAMES).map((m) => JSON.stringify(m)),
  fc.constantFrom(...POLLUTING_KEYS, 'Hello', 'HELLO', 'hello ', 'admit\u0000', 'x'.repeat(65), '').map((m) => JSON.stringify(m)),
  anyString.map((m) => JSON.stringify(m)),
  jsonText,
);

/** For each method, data that is almost right: the right keys, values drawn from anything. */
const nearValidData: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      ['as', 'invite', 'passcode'],
      ['as', 'token', 'sessionId'],
      ['displayName', 'agreementVersion', 'media', 'location', 'emergencyContact'],
      ['participantId'],
      ['participantId', 'method'],
      ['participantId', 'kind'],
      ['participantId', 'reason'],
      ['direction'],
      ['transportId', 'dtlsParameters'],
      ['transportId', 'kind', 'rtpParameters'],
      ['transportId', 'producerId', 'rtpCapabilities'],
      ['consumerId'],
      ['producerId', 'paused'],
      ['to', 'text'],
      ['locked'],
      ['kind'],
    ),
    fc.constantFrom(
      '"participant"',
      '"clinician"',
      '"send"',
      '"recv"',
      '"audio"',
      '"video"',
      '"facilitator"',
      '"photo-id"',
      'true',
      '{"audio":true,"video":false}',
      '{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AA"}]}',
      '{"codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000}],"encodings":[{"ssrc":1}]}',
    ),
  )
  .chain(([keys, plausible]) =>
    fc
      .array(fc.oneof(fc.constant(plausible), jsonText, anyString.map((s) => JSON.stringify(s))), {
        minLength: keys.length,
        maxLength: keys.length,
      })
      .map((values) => `{${keys.map((k, i) => `${JSON.stringify(k)}:${values[i]}`).join(',')}}`),
  );

const dataText = fc.oneof(jsonText, nearValidData, objectText(jsonText));

/** `{id, method, data}` with each part drawn from good and bad alike, parts sometimes missing. */
const requestText = fc
  .record(
    {
      id: fc.oneof(fc.nat({ max: 1_000_000 }).map(String), numberText, jsonText),
      method: methodText,
      data: fc.oneof(dataText, deepText),
      extra: objectText(jsonText),
    },
    { requiredKeys: [] },
  )
  .map((parts) => {
    const fields = Object.entries(parts).map(([k, v]) => (k === 'extra' ? `"__proto__":${v}` : `${JSON.stringify(k)}:${v}`));
    return `{${fields.join(',')}}`;
  });

/** One frame of bad (or accidentally good) input. */
export const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 6, arbitrary: requestText.map((text) => ({ text })) },
  { weight: 2, arbitrary: jsonText.map((text) => ({ text })) },
  { weight: 1, arbitrary: anyString.filter((s) => s.length > 0).map((text) => ({ text })) },
  { weight: 1, arbitrary: deepText.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => ({ binary: Buffer.from(bytes) })) },
);

// ---------------------------------------------------------------------------------------
// What the server must answer
// ---------------------------------------------------------------------------------------

export function byteLength(frame: Frame): number {
  return 'text' in frame ? Buffer.byteLength(frame.text, 'utf8') : frame.binary.length;
}

/**
 * The id an answer must carry, worked out from PROTOCOL.md independently of the server's
 * schemas: a JSON object whose `id` is a non-negative safe integer and whose `method` is a
 * string of 1–64 characters (code points) is a request; anything else is answered with `id: null`.
 */
export function expectedId(frame: Frame): number | null {
  if (!('text' in frame)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { id, method } = parsed as { id?: unknown; method?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  // Characters are code points (as zod counts them), so 40 emoji are 40, not 80.
  const characters = typeof method === 'string' ? [...method].length : 0;
  if (characters < 1 || characters > 64) return null;
  return id === 0 ? 0 : id; // -0 goes out as 0
}

/** The method a request names, when it names a real one (own property of the table only). */
export function namedMethod(frame: Frame): MethodName | undefined {
  if (!('text' in frame) || expectedId(frame) === null) return undefined;
  const method = (JSON.parse(frame.text) as { method: string }).method;
  return (METHOD_NAMES as readonly string[]).includes(method) ? (method as MethodName) : undefined;
}

/**
 * Why an error message is not fit for a client, or undefined when it is. A clean message is
 * one short line of prose for a person: no stack frames, file paths or source names, no
 * JavaScript error class names, no SQL or SQLite, no schema-library or media-library
 * internals, no serialised objects, and nothing that prints a missing value.
 */
export function uncleanReason(message: unknown): string | undefined {
  if (typeof message !== 'string') return 'not a string';
  if (message.trim() === '') return 'empty';
  if (message.length > 200) return 'longer than 200 characters';
  const checks: [string, RegExp][] = [
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    ['control characters', /[\u0000-\u001f\u007f]/],
    ['a stack frame', /\bat \S+ \(|\(\S+:\d+:\d+\)|^\s*at\s/m],
    ['a file path', /(?:^|[\s("'])(?:\/[\w.@-]+){2,}|[A-Za-z]:\\|node_modules|\b[\w-]+\.(?:ts|js|mjs|cjs|node|cpp)\b/],
    ['an error class', /\b(?:Type|Reference|Syntax|Range|Eval|URI|Internal|Aggregate|Zod|Sqlite)Error\b|\bError:/],
    ['SQL', /\bSQLITE_|\bsqlite\b|\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.*\bSET\b|\bDELETE FROM\b|\bconstraint failed\b/i],
    ['schema internals', /\bzod\b|invalid_type|invalid_union|invalid_value|too_big|too_small|"path"\s*:|"code"\s*:/i],
    ['media internals', /\bmediasoup\b|\bworker\b|\bChannel\b|\brequest timeout\b/i],
    ['a serialised value', /\[object \w+\]|\bundefined\b|\bNaN\b|^\s*[[{]/],
  ];
  for (const [what, re] of checks) if (re.test(message)) return `contains ${what}`;
  return undefined;
}

export type Outcome =
  | { kind: 'answer'; frame: Record<string, unknown> }
  | { kind: 'closed'; code: number };

/**
 * Checks one answer against the contract; returns what is wrong, or undefined. `sent` is
 * the frame that provoked it.
 */
export function answerProblem(sent: Frame, answer: Record<string, unknown>): string | undefined {
  const id = expectedId(sent);
  if (answer.id !== id) return `id ${JSON.stringify(answer.id)}, expected ${JSON.stringify(id)}`;
  if (answer.ok === true) {
    if (Object.keys(answer).sort().join() !== 'data,id,ok') return 'a success with extra fields';
    if (id === null) return 'a success for a frame that is not a request';
    if (!namedMethod(sent)) return 'a success for an unknown method';
    return undefined;
  }
  if (answer.ok !== false) return 'neither ok nor failed';
  if (Object.keys(answer).sort().join() !== 'error,id,ok') return 'a failure with extra fields';
  const error = answer.error as Record<string, unknown> | undefined;
  if (!error) return 'a failure without an error';
  const keys = Object.keys(error).sort().join();
  if (keys !== 'code,message' && keys !== 'code,message,reason' && keys !== 'code,message,params,reason') {
    return 'an error that is not {code, message} with at most a reason and its params';
  }
  if (!(ERROR_CODES as readonly unknown[]).includes(error.code)) return `code ${String(error.code)} is not in PROTOCOL.md`;
  if (error.reason !== undefined) {
    // Every reason the server sends is one the console has words for, with the values they take.
    if (!isErrorReason(error.reason)) return `reason ${String(error.reason)} is not in ERROR_REASONS`;
    const named = Object.keys((error.params ?? {}) as object).sort().join();
    if (named !== [...ERROR_REASONS[error.reason]].sort().join()) return `reason ${error.reason} with params ${named || 'none'}`;
  }
  // Nothing a client can send should reach an unexpected server fault.
  if (error.code === 'INTERNAL') return 'INTERNAL for client input';
  if ((id === null || !namedMethod(sent)) && error.code !== 'BAD_REQUEST') return `${String(error.code)} where BAD_REQUEST was due`;
  const unclean = uncleanReason(error.message);
  if (unclean) return `message ${JSON.stringify(error.message)} ${unclean}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// A raw socket
// ---------------------------------------------------------------------------------------

/**
 * A socket that sends frames exactly as given and reads answers in order, skipping
 * notifications. One frame is in flight at a time, so the next answer belongs to it.
 */
export class RawSocket {
  private readonly inbox: Record<string, unknown>[] = [];
  private wake: (() => void) | undefined;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Record<string, unknown>;
      if ('notification' in frame) return;
      this.inbox.push(frame);
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        this.wake?.();
        resolve(code);
      }),
    );
  }

  static connect(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a frame; resolves with its answer or with the close that came instead. */
  async exchange(frame: Frame, timeoutMs = 5_000): Promise<Outcome> {
    if ('text' in frame) this.ws.send(frame.text, { binary: false });
    else this.ws.send(frame.binary, { binary: true });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.inbox.shift();
      if (next) return { kind: 'answer', frame: next };
      if (this.closeCode !== undefined) return { kind: 'closed', code: this.closeCode };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms to ${describe(frame)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    return this.closed;
  }
}

/** A frame, shortened for a failure message. */
export function describe(frame: Frame): string {
  const s = 'text' in frame ? JSON.stringify(frame.text) : `binary ${frame.binary.toString('hex')}`;
  return s.length > 300 ? `${s.slice(0, 300)}… (${byteLength(frame)} bytes)` : s;
}

export { MAX_FRAME_BYTES };
