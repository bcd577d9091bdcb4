/**
 * Which server the participant page talks to. The page starts with the server that served it
 * (its own origin, behind the deployment's address). Where several servers share a deployment,
 * a hello may answer HOSTED_ELSEWHERE naming the server that hosts the session: the page goes
 * there. When the server it was on is gone (killed, cut off), the page asks again through the
 * others it knows (its own origin first, then the fleet the last hello listed), and whichever
 * answers either takes the session over or names its new host.
 *
 * Only http(s) base URLs become sockets, and the page's Content-Security-Policy (set by the
 * server, http/support.ts) lets it open exactly the fleet's, so a forged name goes nowhere.
 */

/** The signalling socket of a server's http(s) base URL; undefined for anything else. */
export function socketUrlOf(serverUrl: string): string | undefined {
  try {
    const u = new URL(serverUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.username !== '' || u.password !== '') return undefined;
    return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/ws`;
  } catch {
    return undefined;
  }
}

export class ServerRoute {
  private target: string;
  private fleet: string[] = [];
  /** Which of the fleet's servers to ask next when the page's own does not answer either. */
  private turn = 0;

  /** `home`: the socket of the server that served the page. */
  constructor(private readonly home: string) {
    this.target = home;
  }

  /** The socket to open next. */
  get current(): string {
    return this.target;
  }

  /** The deployment's servers, as the last hello listed them (http(s) base URLs). */
  learn(servers: readonly string[] | undefined): void {
    if (!servers) return;
    this.fleet = servers.map(socketUrlOf).filter((s): s is string => s !== undefined);
  }

  /** HOSTED_ELSEWHERE named `host`: go there. False when the name is not a server's URL. */
  redirect(host: string | undefined): boolean {
    const socket = host === undefined ? undefined : socketUrlOf(host);
    if (!socket) return false;
    this.target = socket;
    return true;
  }

  /**
   * The current server did not answer: the next one to ask. The page's own address first (a
   * load balancer there sends it to a live server); when that does not answer either, the
   * fleet's servers in turn.
   */
  unreachable(): void {
    if (this.target !== this.home) {
      this.target = this.home;
      return;
    }
    const others = this.fleet.filter((s) => s !== this.home);
    this.target = others.length === 0 ? this.home : others[this.turn++ % others.length]!;
  }
}
