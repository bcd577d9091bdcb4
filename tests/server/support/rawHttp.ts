/**
 * JSON requests from a chosen loopback source address (127.0.0.2 and up all reach a server on
 * 127.0.0.1 on Linux) and with chosen headers, so per-address limits can be tested with real
 * sockets: `fetch` can set neither. And requests armed in advance, so that hundreds of them
 * reach the server together.
 */
import http from 'node:http';

export interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface PostOptions {
  localAddress?: string;
  headers?: Record<string, string>;
  token?: string;
}

export function postJson(httpUrl: string, path: string, body: unknown, options: PostOptions = {}): Promise<RawAnswer> {
  return armedPost(httpUrl, path, body, options).then((armed) => armed.fire());
}

/**
 * A request whose connection is open and whose headers the server has already been sent,
 * but whose body waits for `fire()`. Firing many armed requests in one go makes them reach
 * the server together, rather than spread over the time it takes to open their connections.
 */
export function armedPost(httpUrl: string, path: string, body: unknown, options: PostOptions = {}): Promise<{ fire(): Promise<RawAnswer> }> {
  const url = new URL(path, httpUrl);
  const payload = JSON.stringify(body);
  return new Promise((armed, failed) => {
    let settle: { resolve: (a: RawAnswer) => void; reject: (err: Error) => void } | undefined;
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Unhandled until fired; a failure before that fails the arming instead.
    answer.catch(() => undefined);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        // A connection per request, so each one's source address is its own.
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            settle?.resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
          } catch (err) {
            settle?.reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
        res.on('error', (err) => settle?.reject(err));
      },
    );
    req.on('error', (err) => {
      settle?.reject(err);
      failed(err);
    });
    req.on('socket', (socket) => {
      const ready = (): void => {
        req.flushHeaders();
        armed({
          fire: () => {
            req.end(payload);
            return answer;
          },
        });
      };
      if (socket.connecting) socket.once('connect', ready);
      else ready();
    });
  });
}

/** How many answers had each status, e.g. `{401: 5, 429: 295}`. */
export function statusCounts(answers: readonly RawAnswer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}
