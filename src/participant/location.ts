/**
 * Where this page was opened: the invitation token from `/join/TOKEN`, and the same-origin socket.
 *
 * The token is the invitation itself (with the passcode, it lets anyone in), so it does not
 * stay in the address bar, where it would be seen over a shoulder or on a shared screen, kept
 * in the browser's back/forward list and carried into a bookmark. On load the page moves it
 * into this tab's sessionStorage and replaces the URL with `/join`, which the server serves
 * too: a reload of this tab finds the token again, while a new tab (or a new browser) opened
 * at `/join` has nothing and asks for the invitation link.
 *
 * A link the console issued also carries a secret in its fragment (`#k=SECRET.ISSUER`: 32
 * bytes and 8 in base64url), which browsers never send to a server: what proves this person's
 * encryption key to the facilitator's console, and the console's to them (issue 19,
 * client/e2ee/keys.ts); ISSUER says which console made it. It goes the same way as the token:
 * into this tab's storage, out of the address bar.
 */
import { fromBase64url } from '../client/e2ee/base64url';

export const TOKENLESS_PATH = '/join';
export const INVITATION_STORAGE_KEY = 'confidant.invitation';
export const LINK_SECRET_STORAGE_KEY = 'confidant.linkSecret';

/** What the page needs of `window`, so tests can give it one tab's worth. */
export interface PageWindow {
  location: { pathname: string; hash?: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

export type Invitation =
  /** `linkSecret` and `linkIssuer`: from the link's fragment, when the link has them. */
  | { token: string; linkSecret?: Uint8Array; linkIssuer?: string }
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

const SECRET = /^([A-Za-z0-9_-]{43})(?:\.([A-Za-z0-9_-]{11}))?$/;

/** The secret (and issuer) in a link's fragment (`#k=…`), if it is one; anything else there is ignored. */
export function linkSecretFrom(hash: string | undefined): string | undefined {
  const value = hash?.startsWith('#k=') ? hash.slice(3) : '';
  const m = SECRET.exec(value);
  return m?.[1] && fromBase64url(m[1], 32) ? value : undefined;
}

const withSecret = (token: string, secret: string | null | undefined): Invitation => {
  const m = SECRET.exec(secret ?? '');
  const linkSecret = m?.[1] ? fromBase64url(m[1], 32) : undefined;
  if (!linkSecret) return { token };
  return m?.[2] ? { token, linkSecret, linkIssuer: m[2] } : { token, linkSecret };
};

/** Reads the invitation, moving it from the URL into this tab's storage (see above). */
export function takeInvitation(win: PageWindow): Invitation {
  const { pathname } = win.location;
  const token = inviteTokenFrom(pathname);
  if (token) {
    const secret = linkSecretFrom(win.location.hash);
    try {
      win.sessionStorage.setItem(INVITATION_STORAGE_KEY, token);
      // A link without a secret replaces whatever an earlier link in this tab left.
      win.sessionStorage.setItem(LINK_SECRET_STORAGE_KEY, secret ?? '');
    } catch {
      // Storage refused (a strict privacy mode): the URL is then all a reload has, so it stays.
      return withSecret(token, secret);
    }
    win.history.replaceState(null, '', TOKENLESS_PATH);
    return withSecret(token, secret);
  }
  if (pathname === TOKENLESS_PATH || pathname === `${TOKENLESS_PATH}/`) {
    let kept: string | null;
    let secret: string | null;
    try {
      kept = win.sessionStorage.getItem(INVITATION_STORAGE_KEY);
      secret = win.sessionStorage.getItem(LINK_SECRET_STORAGE_KEY);
    } catch {
      kept = null;
      secret = null;
    }
    return kept ? withSecret(kept, secret) : { token: null, missing: 'linkNeeded' };
  }
  return { token: null, missing: 'invalidLink' };
}

export function socketUrlFor(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
