/** Where this page was opened: the invitation token from `/join/TOKEN`, and the same-origin socket. */

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

export function socketUrlFor(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
