/**
 * The console's signed-in connection to one session server over its HTTP API. The bearer
 * token lives here, in the main process; the renderer only ever sees the user and the
 * session list (and, for the live WebSocket, an address and a single-use session ticket).
 */
import { z } from 'zod';
import { serverUrlProblem, type IpcParsedRequest, type SessionConnection, type SignInRequest, type SignInResult } from '../../shared/ipc';
import {
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
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * No server answered at all (network down, server stopped, timeout), as opposed to a server
 * that answered with an error. Only this lets a caller serve a copy it saved earlier: a 401
 * or 403 is the server's word and must never be papered over with a cached answer.
 */
export class ServerUnreachableError extends ProtocolError {
  constructor(serverUrl: string) {
    super('NOT_FOUND', `No Confidant server answered at ${serverUrl}. Check the address and your connection.`);
    this.name = 'ServerUnreachableError';
  }
}

export class ServerSession {
  private signedIn: SignedIn | null = null;

  /** Called when the server ends the sign-in (expiry, idle timeout, deactivation). */
  onSignedOut: (() => void) | null = null;

  constructor(private readonly fetchImpl: Fetch = fetch) {}

  async signIn(request: IpcParsedRequest<'auth:signIn'>): Promise<SignInResult> {
    // The IPC schema refuses these too; this is the door every caller of main goes through.
    const problem = serverUrlProblem(request.serverUrl);
    if (problem) throw new ProtocolError('BAD_REQUEST', problem);
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
    };
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
    const { token: _token, ...visible } = this.signedIn;
    return visible;
  }

  async listSessions(range: { from?: string | undefined; to?: string | undefined } = {}): Promise<SessionSummary[]> {
    const query = new URLSearchParams();
    if (range.from) query.set('from', range.from);
    if (range.to) query.set('to', range.to);
    const q = query.size > 0 ? `?${query}` : '';
    return this.api('GET', `/api/sessions${q}`, undefined, SessionList);
  }

  /** One authenticated call to the server's HTTP API, answer checked against `schema`. */
  api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const s = this.require();
    return this.call(s.serverUrl, path, { method, body, token: s.token }, schema);
  }

  /** An authenticated GET of a text document (a CSV export): the body as the server sent it. */
  async apiText(path: string, accept: string): Promise<string> {
    const s = this.require();
    const response = await this.send(s.serverUrl, path, { method: 'GET', token: s.token }, accept);
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
    const { ticket } = await this.api('POST', `/api/sessions/${encodeURIComponent(sessionId)}/ticket`, {}, SessionTicket);
    const url = new URL('/ws', s.serverUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { wsUrl: url.toString(), ticket, sessionId };
  }

  private require(): SignedIn {
    if (!this.signedIn) throw new ProtocolError('UNAUTHENTICATED', 'Sign in first.');
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
    if (!parsed.success) throw new ProtocolError('INTERNAL', 'The server sent an answer this console does not understand.');
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
    if (err.success) throw new ProtocolError(err.data.error.code, err.data.error.message);
    throw new ProtocolError('INTERNAL', `The server answered ${response.status}.`);
  }
}
