/**
 * The participant page's connection, through the service its screens call (ParticipantService),
 * against a scripted server socket: the passcode, a locked room's "Try again", getting back
 * into the same place after a drop (and when not to), leaving, and which notification ends
 * the visit. No camera, no media: the person has both switched off.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocketLike } from '../../src/client/signaling';
import { ParticipantService } from '../../src/participant/participantService';
import { en } from '../../src/participant/i18n/en';
import { chooseLanguage } from '../../src/participant/i18n';
import { agreementShown, initialState, setPageState, useParticipantStore } from '../../src/participant/store';

type Answer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string; host?: string } };
/** `url`: the socket's, so servers of one deployment can answer differently. */
type Answerer = (method: string, data: Record<string, unknown>, url: string) => Answer;

const HELLO = {
  participantId: 'p-self',
  session: { id: 's1', title: 'Tuesday group' },
  agreement: { version: '1', text: 'Be kind.' },
  state: 'check-in',
  resumeToken: 'resume-1',
};

const refused = (code: string): Answer => ({ ok: false, error: { code, message: code } });

/** Every socket the page opens, answering its requests as `server.answer` says. */
const server = {
  sockets: [] as ScriptedSocket[],
  /** How many of the next sockets fail to open (a network still down). */
  unreachable: 0,
  /** Servers whose sockets never open (killed), by socket URL. */
  down: new Set<string>(),
  answer: ((method) => (method === 'hello' ? { ok: true, data: HELLO } : { ok: true, data: {} })) as Answerer,
  get last(): ScriptedSocket {
    const socket = server.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  },
  requests(method: string): Record<string, unknown>[] {
    return server.sockets.flatMap((s) => s.sent.filter((r) => r.method === method).map((r) => r.data));
  },
};

class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: { method: string; data: Record<string, unknown> }[] = [];
  onopen: ((ev: never) => void) | null = null;
  onmessage: ((ev: never) => void) | null = null;
  onclose: ((ev: never) => void) | null = null;
  onerror: ((ev: never) => void) | null = null;

  constructor(readonly url: string) {
    server.sockets.push(this);
    void Promise.resolve().then(() => {
      if (server.unreachable > 0 || server.down.has(this.url)) {
        if (!server.down.has(this.url)) server.unreachable--;
        this.drop(1006);
        return;
      }
      this.readyState = 1;
      this.onopen?.({} as never);
    });
  }

  send(raw: string): void {
    const { id, method, data } = JSON.parse(raw) as { id: number; method: string; data: Record<string, unknown> };
    this.sent.push({ method, data });
    const answer = server.answer(method, data, this.url);
    void Promise.resolve().then(() => this.onmessage?.({ data: JSON.stringify({ id, ...answer }) } as never));
  }

  close(): void {
    this.readyState = 3;
  }

  /** The server's side of the socket closing (a dropped link when 1006). */
  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' } as never);
  }

  notify(notification: string, data: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ notification, data }) } as never);
  }
}

const page = () => useParticipantStore.getState();

async function checkedInScreen(): Promise<ParticipantService> {
  const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
  await service.submitPasscode(' 123456 ');
  expect(page().screen).toBe('checkIn');
  return service;
}

beforeEach(() => {
  server.sockets = [];
  server.unreachable = 0;
  server.down = new Set();
  server.answer = (method) => (method === 'hello' ? { ok: true, data: HELLO } : { ok: true, data: {} });
  vi.stubGlobal('WebSocket', ScriptedSocket);
  useParticipantStore.setState({ ...initialState, wantAudio: false, wantVideo: false });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the passcode', () => {
  it('is sent trimmed with the invitation and the page language, and the check-in follows', async () => {
    await checkedInScreen();
    expect(server.requests('hello')).toEqual([{ as: 'participant', invite: 'invite-token', passcode: '123456', language: 'en' }]);
    expect(page()).toMatchObject({ sessionTitle: 'Tuesday group', participantId: 'p-self', busy: false, formError: null });
    expect(page().announcement).toBe('Passcode accepted. Next, check in for the session.');
  });

  it('a wrong one stays on the passcode screen and says so', async () => {
    server.answer = () => refused('UNAUTHENTICATED');
    const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
    await service.submitPasscode('000000');
    expect(page()).toMatchObject({ screen: 'passcode', formError: en.errors.passcodeMismatch, busy: false });
  });

  it('a page without an invitation ends at once, as the link said', () => {
    new ParticipantService(null, 'ws://clinic.test/ws', 'linkNeeded');
    expect(page()).toMatchObject({ screen: 'ended', endReason: 'linkNeeded' });
    expect(server.sockets).toEqual([]);
  });

  it('a locked room is asked again with the same passcode, and says when it is still locked', async () => {
    server.answer = () => refused('ROOM_LOCKED');
    const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
    await service.submitPasscode('123456');
    expect(page()).toMatchObject({ screen: 'ended', endReason: 'roomLocked' });
    await service.retry();
    expect(server.requests('hello').map((h) => h.passcode)).toEqual(['123456', '123456']);
    expect(page().formError).toMatch(/^Still locked when we checked at /);
    server.answer = (method) => (method === 'hello' ? { ok: true, data: HELLO } : { ok: true, data: {} });
    await service.retry();
    expect(page()).toMatchObject({ screen: 'checkIn', endReason: null, retrying: false });
  });
});

describe('after a dropped connection', () => {
  it('gets back into the same place with the resume token, saying so meanwhile', async () => {
    await checkedInScreen();
    server.last.drop(1006);
    expect(page()).toMatchObject({ reconnecting: true, screen: 'checkIn' });
    expect(page().announcement).toBe('Your connection dropped. Reconnecting… you keep your place.');
    await vi.waitFor(() => expect(page().reconnecting).toBe(false));
    expect(server.sockets).toHaveLength(2);
    expect(server.requests('hello').at(-1)).toEqual({ as: 'resume', resumeToken: 'resume-1' });
    expect(page().screen).toBe('checkIn');
  });

  it('tries again with backoff while the server cannot be reached', async () => {
    await checkedInScreen();
    vi.useFakeTimers();
    server.unreachable = 2;
    server.last.drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(server.sockets).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(499);
    expect(server.sockets).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets).toHaveLength(4);
    expect(page()).toMatchObject({ reconnecting: false, screen: 'checkIn' });
  });

  it('ends plainly when the answer is final: the session ended, or the place is gone', async () => {
    for (const [code, ending] of [
      ['SESSION_ENDED', 'sessionEnded'],
      ['UNAUTHENTICATED', 'connectionLost'],
    ] as const) {
      server.sockets = [];
      await checkedInScreen();
      server.answer = (method, data) => (data.as === 'resume' ? refused(code) : { ok: true, data: method === 'hello' ? HELLO : {} });
      server.last.drop(1006);
      await vi.waitFor(() => expect(page().screen).toBe('ended'));
      expect(page()).toMatchObject({ endReason: ending, reconnecting: false });
      expect(server.sockets).toHaveLength(2);
      server.answer = (method) => (method === 'hello' ? { ok: true, data: HELLO } : { ok: true, data: {} });
    }
  });

  it('does not come back after a close the server made on purpose', async () => {
    await checkedInScreen();
    server.last.drop(1000);
    expect(page()).toMatchObject({ screen: 'ended', endReason: 'connectionLost', reconnecting: false });
    await Promise.resolve();
    expect(server.sockets).toHaveLength(1);
  });
});

describe('several servers sharing a deployment', () => {
  const A = 'http://a.clinic.test:4780';
  const B = 'http://b.clinic.test:4780';
  const elsewhere = (host: string): Answer => ({ ok: false, error: { code: 'HOSTED_ELSEWHERE', message: 'hosted elsewhere', host } });

  it('says hello where the session is hosted when the first server names another', async () => {
    server.answer = (method, _data, url) =>
      method !== 'hello' ? { ok: true, data: {} } : url === 'ws://a.clinic.test:4780/ws' ? { ok: true, data: { ...HELLO, servers: [A, B] } } : elsewhere(A);
    const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
    await service.submitPasscode('123456');
    expect(page()).toMatchObject({ screen: 'checkIn', formError: null });
    expect(server.sockets.map((s) => s.url)).toEqual(['ws://clinic.test/ws', 'ws://a.clinic.test:4780/ws']);
    expect(server.requests('hello').map((h) => h.passcode)).toEqual(['123456', '123456']);
  });

  it('follows only a server address, and not round and round', async () => {
    for (const host of ['javascript:alert(1)', 'file:///etc/passwd', 'http://user:pw@a.clinic.test']) {
      server.sockets = [];
      server.answer = () => elsewhere(host);
      const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
      await service.submitPasscode('123456');
      expect(server.sockets.map((s) => s.url)).toEqual(['ws://clinic.test/ws']);
      expect(page()).toMatchObject({ screen: 'passcode', busy: false });
      expect(page().formError).not.toBeNull();
    }
    server.sockets = [];
    server.answer = (_m, _d, url) => elsewhere(url.includes('a.clinic') ? B : A);
    const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
    await service.submitPasscode('123456');
    // The first server, then at most two more: a loop of names ends with a plain error.
    expect(server.sockets).toHaveLength(3);
    expect(page().formError).not.toBeNull();
  });

  it('after its server is killed, asks another, follows it to the new host and resumes there', async () => {
    server.answer = (method, data, url) => {
      if (method !== 'hello') return { ok: true, data: {} };
      if (data.as === 'participant') return url.includes('a.clinic') ? { ok: true, data: { ...HELLO, servers: [A, B] } } : elsewhere(A);
      // After the loss: the page's own server has handed the session to b.
      return url.includes('b.clinic') ? { ok: true, data: { ...HELLO, state: 'waiting', resumed: true, resumeToken: 'resume-2', servers: [B] } } : elsewhere(B);
    };
    const service = new ParticipantService('invite-token', 'ws://clinic.test/ws');
    await service.submitPasscode('123456');
    expect(server.last.url).toBe('ws://a.clinic.test:4780/ws');
    server.down.add('ws://a.clinic.test:4780/ws');
    server.last.drop(1006);
    await vi.waitFor(() => expect(page().reconnecting).toBe(false), { timeout: 3_000 });
    // a (dead), then the page's own server, which names b, then b at once.
    expect(server.sockets.slice(2).map((s) => s.url)).toEqual(['ws://a.clinic.test:4780/ws', 'ws://clinic.test/ws', 'ws://b.clinic.test:4780/ws']);
    expect(server.requests('hello').filter((h) => h.as === 'resume')).toEqual([
      { as: 'resume', resumeToken: 'resume-1' },
      { as: 'resume', resumeToken: 'resume-1' },
    ]);
    expect(page()).toMatchObject({ screen: 'waiting', reconnecting: false });
    // A later loss starts from b.
    server.last.drop(1006);
    await vi.waitFor(() => expect(page().reconnecting).toBe(false));
    expect(server.last.url).toBe('ws://b.clinic.test:4780/ws');
    expect(server.requests('hello').at(-1)).toEqual({ as: 'resume', resumeToken: 'resume-2' });
  });
});

describe('leaving and endings', () => {
  it('leaving tells the server and ends the visit, without coming back', async () => {
    const service = await checkedInScreen();
    await service.leave();
    expect(server.requests('leave')).toEqual([{}]);
    expect(page()).toMatchObject({ screen: 'ended', endReason: 'left', busy: false });
    expect(server.sockets).toHaveLength(1);
  });

  it('a denial from the therapist ends the visit, and the message history goes with it', async () => {
    await checkedInScreen();
    server.last.notify('message', { from: 'facilitator', text: 'Welcome' });
    expect(page().moderation.messages.map((m) => m.text)).toEqual(['Welcome']);
    server.last.notify('denied', {});
    expect(page()).toMatchObject({ screen: 'ended', endReason: 'denied' });
    expect(page().moderation.messages).toEqual([]);
  });
});

describe('the agreement in the page language (issue 23)', () => {
  const SPANISH = { version: 'es-7', text: 'Sé amable.', language: 'es' };
  const ENGLISH = { version: 'en-3', text: 'Be kind.', language: 'en' };

  it('asks for the page language, and accepts the text shown: switched at check-in, that language’s version and language', async () => {
    setPageState({ language: 'es' });
    server.answer = (method) =>
      method === 'hello'
        ? { ok: true, data: { ...HELLO, agreement: SPANISH, agreements: [ENGLISH, SPANISH] } }
        : { ok: false, error: { code: 'INTERNAL', message: 'stop here' } };
    const service = await checkedInScreen();
    expect(server.requests('hello')[0]).toMatchObject({ language: 'es' });
    expect(page().announcement).toBe('Código aceptado. Ahora, regístrate para la sesión.');
    const form = { displayName: 'Lucía', agreed: true, location: '', emergencyContact: '', privacy: { privateSpace: false, headphones: false, notificationsOff: false, nobodyInView: false } };
    await service.checkIn(form);
    expect(server.requests('checkIn').at(-1)).toMatchObject({ agreementVersion: 'es-7', agreementLanguage: 'es' });
    // The client switches to English: the English text is shown, and it is what is accepted.
    chooseLanguage('en');
    expect(agreementShown(page())).toEqual(ENGLISH);
    await service.checkIn(form);
    expect(server.requests('checkIn').at(-1)).toMatchObject({ agreementVersion: 'en-3', agreementLanguage: 'en' });
  });

  it('quotes no language to an older server, whose one agreement names none', async () => {
    server.answer = (method) => (method === 'hello' ? { ok: true, data: HELLO } : { ok: false, error: { code: 'INTERNAL', message: 'stop here' } });
    const service = await checkedInScreen();
    await service.checkIn({ displayName: 'Sam', agreed: true, location: '', emergencyContact: '', privacy: { privateSpace: false, headphones: false, notificationsOff: false, nobodyInView: false } });
    const sent = server.requests('checkIn').at(-1)!;
    expect(sent).toMatchObject({ agreementVersion: '1' });
    expect(sent).not.toHaveProperty('agreementLanguage');
  });
});
