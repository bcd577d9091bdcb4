/**
 * The console's signed-in connection to one session server over its HTTP API. The bearer
 * token lives here, in the main process; the renderer only ever sees the user and the
 * session list (and, for the live WebSocket, an address and a single-use session ticket).
 */
import { z } from 'zod';
import { serverUrlProblem, type IpcParsedRequest, type SessionConnection, type SignInRequest, type SignInResult } from '../../shared/ipc';
import {
  FleetList,
  HttpErrorResponse,
  LoginResponse,
  ProtocolError,
  SessionList,
  SessionTicket,
  type SessionSummary,
} from '../../shared/protocol';

type Fetch = typeof fetch;

interface SignedIn extends SignInResult {
  token: string;
  /**
   * The servers of the deployment, as the signed-in server lists them (`GET /api/servers`):
   * where a session may be hosted, and who else to ask when that server is gone. Just the
   * signed-in server until it says otherwise (a single server, or one too old to list them).
   */
  fleet: string[];
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * No server answered at all (network down, server stopped, timeout), as opposed to a server
 * that answered with an error. Only this lets a caller serve a copy it saved earlier: a 401
 * or 403 is the server's word and must never be papered over with a cached answer.
 */
export class ServerUnreachableError extends ProtocolError {
  constructor(serverUrl: string) {
    super('NOT_FOUND', `No Confidant server answered at ${serverUrl}. Check the address and your connection.`, {
      reason: 'server-unreachable',
      params: { server: serverUrl },
    });
    this.name = 'ServerUnreachableError';
  }
}

export class ServerSession {
  private signedIn: SignedIn | null = null;

  /** Called when the server ends the sign-in (expiry, idle timeout, deactivation). */
  onSignedOut: (() => void) | null = null;

  constructor(
    private readonly fetchImpl: Fetch = fetch,
    /** This workstation's id (deviceId.ts), sent with every request for the server's audit log. */
    private readonly deviceId: string | null = null,
  ) {}

  async signIn(request: IpcParsedRequest<'auth:signIn'>): Promise<SignInResult> {
    // The IPC schema refuses these too; this is the door every caller of main goes through.
    const problem = serverUrlProblem(request.serverUrl);
    if (problem) throw new ProtocolError('BAD_REQUEST', problem.message, { reason: problem.reason });
    const body: Omit<SignInRequest, 'serverUrl'> = {
      username: request.username,
      password: request.password,
      ...(request.totp ? { totp: request.totp } : {}),
    };
    const login = await this.call(request.serverUrl, '/api/login', { method: 'POST', body }, LoginResponse);
    this.signedIn = {
      serverUrl: request.serverUrl,
      token: login.token,
      expiresAt: login.expiresAt,
      user: login.user,
      fleet: [],
    };
    await this.refreshFleet();
    return this.current()!;
  }

  async signOut(): Promise<void> {
    const was = this.signedIn;
    this.signedIn = null;
    if (!was) return;
    try {
      await this.call(was.serverUrl, '/api/logout', { method: 'POST', body: {}, token: was.token }, z.unknown());
    } catch {
      // The token is forgotten either way; an unreachable server expires it by itself.
    }
  }

  current(): SignInResult | null {
    if (!this.signedIn) return null;
    const { token: _token, fleet: _fleet, ...visible } = this.signedIn;
    return visible;
  }

  /**
   * The servers the renderer may open a WebSocket to (main's request filter): the signed-in
   * one and the others of its deployment, as it listed them; none before sign-in.
   */
  servers(): readonly string[] {
    const s = this.signedIn;
    return s ? [...new Set([s.serverUrl, ...s.fleet])] : [];
  }

  /** Asks the signed-in deployment for its servers; keeps the last list when none answers. */
  private async refreshFleet(): Promise<void> {
    const s = this.signedIn;
    if (!s) return;
    try {
      const { servers } = await this.fromAnyServer((url) => this.call(url, '/api/servers', { method: 'GET', token: s.token }, FleetList));
      if (this.signedIn === s) s.fleet = servers.filter((url) => serverUrlProblem(url) === null);
    } catch (err) {
      // An older server without the list, or none reachable now: the sign-in still stands.
      if (!(err instanceof ProtocolError) || err.code === 'UNAUTHENTICATED') throw err;
    }
  }

  /**
   * `request` at the signed-in server, or, when that one does not answer at all, at each other
   * server of its deployment in turn: the sign-in is the deployment's, good at any of them.
   * Only for requests safe to repeat (reads, a session ticket).
   */
  private async fromAnyServer<T>(request: (serverUrl: string) => Promise<T>): Promise<T> {
    const s = this.require();
    const candidates = [s.serverUrl, ...s.fleet.filter((url) => url !== s.serverUrl)];
    let lastError: unknown;
    for (const url of candidates) {
      try {
        return await request(url);
      } catch (err) {
        if (!(err instanceof ServerUnreachableError)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  async listSessions(range: { from?: string | undefined; to?: string | undefined } = {}): Promise<SessionSummary[]> {
    const query = new URLSearchParams();
    if (range.from) query.set('from', range.from);
    if (range.to) query.set('to', range.to);
    const q = query.size > 0 ? `?${query}` : '';
    return this.api('GET', `/api/sessions${q}`, undefined, SessionList);
  }

  /**
   * One authenticated call to the server's HTTP API, answer checked against `schema`. A read
   * goes to another server of the deployment when the signed-in one does not answer; a change
   * never does (it may have landed before the answer was lost).
   */
  api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const s = this.require();
    if (method === 'GET') return this.fromAnyServer((url) => this.call(url, path, { method, body, token: s.token }, schema));
    return this.call(s.serverUrl, path, { method, body, token: s.token }, schema);
  }

  /** An authenticated GET of a text document (a CSV export): the body as the server sent it. */
  async apiText(path: string, accept: string): Promise<string> {
    const s = this.require();
    const response = await this.fromAnyServer((url) => this.send(url, path, { method: 'GET', token: s.token }, accept));
    const text = await response.text();
    if (!response.ok) this.fail(response, text, s.token);
    return text;
  }

  /**
   * What the renderer needs to open the live socket: the address and a fresh single-use
   * ticket for this session (asked for on every connect and reconnect), never the token.
   */
  async connection(sessionId: string): Promise<SessionConnection> {
    const s = this.require();
    await this.refreshFleet();
    const path = `/api/sessions/${encodeURIComponent(sessionId)}/ticket`;
    const ticketAt = (serverUrl: string) => this.call(serverUrl, path, { method: 'POST', body: {}, token: s.token }, SessionTicket);
    let at = s.serverUrl;
    let issued: SessionTicket;
    try {
      issued = await this.fromAnyServer(async (url) => {
        at = url;
        return ticketAt(url);
      });
    } catch (err) {
      // Hosted by another server of the deployment: the ticket comes from, and is spent at,
      // that one. Only a server the deployment listed; a name it did not list is refused.
      if (!(err instanceof ProtocolError) || err.code !== 'HOSTED_ELSEWHERE' || err.host === undefined) throw err;
      if (!this.servers().includes(err.host)) {
        throw new ProtocolError('HOSTED_ELSEWHERE', 'This session is hosted by a server this console does not know. Sign in again, or ask your administrator.', {
          reason: 'unknown-host',
        });
      }
      at = err.host;
      issued = await ticketAt(at);
    }
    const url = new URL('/ws', at);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { wsUrl: url.toString(), ticket: issued.ticket, sessionId };
  }

  private require(): SignedIn {
    if (!this.signedIn) throw new ProtocolError('UNAUTHENTICATED', 'Sign in first.', { reason: 'sign-in-first' });
    return this.signedIn;
  }

  private async call<T>(
    serverUrl: string,
    path: string,
    init: { method: 'GET' | 'POST' | 'PATCH' | 'PUT'; body?: unknown; token?: string },
    schema: z.ZodType<T>,
  ): Promise<T> {
    const response = await this.send(serverUrl, path, init, 'application/json');
    const text = await response.text();
    if (!response.ok) this.fail(response, text, init.token);
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // handled below
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ProtocolError('INTERNAL', 'The server sent an answer this console does not understand.', { reason: 'server-answer-unreadable' });
    return parsed.data;
  }

  private async send(
    serverUrl: string,
    path: string,
    init: { method: 'GET' | 'POST' | 'PATCH' | 'PUT'; body?: unknown; token?: string },
    accept: string,
  ): Promise<Response> {
    try {
      return await this.fetchImpl(new URL(path, serverUrl), {
        method: init.method,
        headers: {
          accept,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(this.deviceId ? { 'x-confidant-device': this.deviceId } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch {
      throw new ServerUnreachableError(serverUrl);
    }
  }

  /** Turns an error answer into a ProtocolError; a 401 for the current token ends the sign-in. */
  private fail(response: Response, text: string, token: string | undefined): never {
    if (response.status === 401 && this.signedIn?.token === token && token) {
      this.signedIn = null;
      this.onSignedOut?.();
    }
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported by status below
    }
    const err = HttpErrorResponse.safeParse(json);
    if (err.success) throw ProtocolError.fromBody(err.data.error);
    throw new ProtocolError('INTERNAL', `The server answered ${response.status}.`, { reason: 'server-status', params: { status: response.status } });
  }
}
