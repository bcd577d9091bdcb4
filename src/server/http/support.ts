/** Small helpers for the HTTP side: security headers, JSON bodies and error envelopes. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ProtocolError, type ErrorBody, type ErrorCode } from '../../shared/protocol.js';

export const MAX_JSON_BODY_BYTES = 16 * 1024;

/**
 * One policy for every response (the participant page, its assets, the API, errors). Styles
 * come only from the built stylesheet: React sets `style` props through the CSSOM, which
 * style-src does not govern, so nothing needs 'unsafe-inline' (which would let injected markup
 * restyle the page, e.g. to overlay a fake passcode prompt). The page submits no form
 * anywhere: its forms are handled in script, so `form-action 'none'` leaves an injected <form>
 * nowhere to post. connect-src 'self' also admits same-origin ws:/wss: in current Chromium
 * (CSP Level 3); with several servers sharing a deployment, the page may also open the
 * signalling socket of exactly the fleet's other servers (where its session is hosted).
 */
export function contentSecurityPolicy(fleet: readonly string[] = []): string {
  const sockets = fleet.map(socketOrigin).filter((o): o is string => o !== undefined);
  return [
    "default-src 'self'",
    // Scripts only from the page's own origin; 'wasm-unsafe-eval' lets it compile WebAssembly
    // (and nothing else: no eval, no inline script) for the background-blur model (issue 21,
    // src/client/backdrop.ts), whose files the server serves beside the page.
    "script-src 'self' 'wasm-unsafe-eval'",
    ["connect-src 'self'", ...new Set(sockets)].join(' '),
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "style-src 'self'",
    // The call's frame cipher (src/client/e2ee/transformWorker.ts), built beside the page; nothing else.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** The WebSocket origin of a server's http(s) base URL (`https://a` → `wss://a`). */
export function socketOrigin(serverUrl: string): string | undefined {
  try {
    const u = new URL(serverUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`;
  } catch {
    return undefined;
  }
}

/** The policy for the fleet last asked about: the fleet's list changes at a heartbeat at most. */
let fleetPolicy: { fleet: readonly string[]; policy: string } = { fleet: [], policy: CONTENT_SECURITY_POLICY };

export function setSecurityHeaders(res: ServerResponse, tls: boolean, fleet: readonly string[] = []): void {
  if (fleet.length > 1 && fleet !== fleetPolicy.fleet) fleetPolicy = { fleet, policy: contentSecurityPolicy(fleet) };
  res.setHeader('Content-Security-Policy', fleet.length > 1 ? fleetPolicy.policy : CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The invitation token is in the /join URL: never let it leave in a Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(), geolocation=()');
  if (tls) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

/** An HTTP failure with its status; ProtocolErrors map through `statusFor`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** `host` (with HOSTED_ELSEWHERE: the server to ask instead), and the reason for a person's words. */
    readonly details: Pick<ErrorBody, 'host' | 'reason' | 'params'> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  ROOM_LOCKED: 403,
  HOSTED_ELSEWHERE: 409,
  REMOVED: 403,
  SESSION_ENDED: 409,
  MUTED_BY_FACILITATOR: 403,
  INTERNAL: 500,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof ProtocolError) {
    const { code, message, ...details } = err.toBody();
    return new HttpError(statusFor(code), code, message, details);
  }
  return undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  const error: ErrorBody = { code: err.code, message: err.message, ...err.details };
  sendJson(res, err.status, { error });
}

/** Reads a JSON body of at most `limit` bytes: 413 beyond it, 400 if it is not JSON. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError(413, 'BAD_REQUEST', 'the request body is too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'BAD_REQUEST', 'the request body is too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'the request body is not valid JSON');
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header) : null;
  return match?.[1];
}

/** What the client address is read from: an HTTP request or a WebSocket upgrade. */
export interface AddressedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/**
 * One spelling per address, so a limit cannot be dodged by writing it differently:
 * IPv4-mapped IPv6 as plain IPv4, IPv6 in its canonical short form. Undefined for what is
 * not an address.
 */
export function canonicalAddress(raw: string): string | undefined {
  const text = raw.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  const candidate = mapped?.[1] ?? text;
  const family = isIP(candidate);
  if (family === 4) return candidate;
  if (family === 6) {
    // The URL parser canonicalises an IPv6 host (lower case, zeros compressed).
    const host = new URL(`http://[${candidate}]/`).hostname.slice(1, -1);
    const inner = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (inner) {
      const hi = Number.parseInt(inner[1] ?? '0', 16);
      const lo = Number.parseInt(inner[2] ?? '0', 16);
      return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
    }
    return host;
  }
  return undefined;
}

/**
 * How the server learns a request's client address, for per-address limits and the audit
 * log (the `trustedProxies` setting). The socket's peer is the client unless that peer is
 * a trusted proxy (a TLS terminator or load balancer in front of this server): then the
 * client is the rightmost X-Forwarded-For hop that is not itself a trusted proxy. Only the
 * rightmost hops are written by proxies we trust; anything to their left came from the
 * client and may be invented, so it is never read past the first untrusted hop. A header
 * that cannot be read there leaves the peer's own address. Entries are addresses or CIDR
 * ranges, already validated by config.ts.
 */
export function clientAddressResolver(trustedProxies: readonly string[]): (req: AddressedRequest) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [ip = '', prefix] = entry.split('/');
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(ip, family);
    else trusted.addSubnet(ip, Number(prefix), family);
  }
  const isTrusted = (address: string): boolean => trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return (req) => {
    const peer = canonicalAddress(req.socket.remoteAddress ?? '') ?? 'unknown';
    if (trustedProxies.length === 0 || peer === 'unknown' || !isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter((h) => h !== '');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = canonicalAddress(hops[i] ?? '');
      if (hop === undefined) return peer;
      client = hop;
      if (!isTrusted(hop)) return hop;
    }
    return client;
  };
}
