/**
 * Where this page was opened: the invitation token from `/join/TOKEN`, and the same-origin socket.
 *
 * The token is the invitation itself (with the passcode, it lets anyone in), so it does not
 * stay in the address bar, where it would be seen over a shoulder or on a shared screen, kept
 * in the browser's back/forward list and carried into a bookmark. On load the page moves it
 * into this tab's sessionStorage and replaces the URL with `/join`, which the server serves
 * too: a reload of this tab finds the token again, while a new tab (or a new browser) opened
 * at `/join` has nothing and asks for the invitation link.
 */

export const TOKENLESS_PATH = '/join';
export const INVITATION_STORAGE_KEY = 'confidant.invitation';

/** What the page needs of `window`, so tests can give it one tab's worth. */
export interface PageWindow {
  location: { pathname: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

export type Invitation =
  | { token: string }
  /** invalidLink: a /join URL that is not an invitation; linkNeeded: /join in a tab that never had one. */
  | { token: null; missing: 'invalidLink' | 'linkNeeded' };

export function inviteTokenFrom(pathname: string): string | null {
  const m = /^\/join\/([^/?#]+)\/?$/.exec(pathname);
  if (!m?.[1]) return null;
  try {
    const token = decodeURIComponent(m[1]);
    return token.length > 0 && token.length <= 256 ? token : null;
  } catch {
    return null;
  }
}

/** Reads the invitation, moving it from the URL into this tab's storage (see above). */
export function takeInvitation(win: PageWindow): Invitation {
  const { pathname } = win.location;
  const token = inviteTokenFrom(pathname);
  if (token) {
    try {
      win.sessionStorage.setItem(INVITATION_STORAGE_KEY, token);
    } catch {
      // Storage refused (a strict privacy mode): the URL is then all a reload has, so it stays.
      return { token };
    }
    win.history.replaceState(null, '', TOKENLESS_PATH);
    return { token };
  }
  if (pathname === TOKENLESS_PATH || pathname === `${TOKENLESS_PATH}/`) {
    let kept: string | null;
    try {
      kept = win.sessionStorage.getItem(INVITATION_STORAGE_KEY);
    } catch {
      kept = null;
    }
    return kept ? { token: kept } : { token: null, missing: 'linkNeeded' };
  }
  return { token: null, missing: 'invalidLink' };
}

export function socketUrlFor(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
