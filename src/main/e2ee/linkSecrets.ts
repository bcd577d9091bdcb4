/**
 * Invitation links' secrets: how a client's page proves, at call time, that the public key it
 * offers is the invited client's and not one the server slipped in (issue 19).
 *
 * The console that issues a link appends `#k=<secret>.<issuer>`. Browsers never send a URL's
 * fragment to a server, so the session server that relays the call's keys never learns the
 * secret. The console stores nothing: the secret is an HMAC of the invitation's id and of when
 * its current link was issued, under a key derived from the clinician's keychain key (the
 * "link secrets" purpose, src/main/sealing.ts). At call time the same console recomputes it
 * from the server's list of invitations; a re-issued link has a new `issuedAt`, so a new secret,
 * and the old link's secret proves nothing any more.
 *
 * The issuer tag names the key, not the clinician: a co-facilitator's console (another keychain
 * key) sees a tag that is not its own and knows it cannot check that link's secret, rather than
 * taking a mismatch for an impostor.
 */
import { createHmac } from 'node:crypto';
import type { InvitationLinkSecrets, IssuedInvitationLink } from '../../shared/ipc';
import type { InvitationSummary, IssuedInvitation } from '../../shared/protocol';
import { purposeKey, wipe } from '../sealing';

/** A link secret's length: 32 bytes, 43 characters of unpadded base64url. */
export const LINK_SECRET_BYTES = 32;
/** The issuer tag's length: 8 bytes, 11 characters of unpadded base64url. */
const ISSUER_BYTES = 8;

/** The MAC of `message` under `key`, in memory of its own so the caller can wipe it. */
function mac(key: Uint8Array, message: string): Uint8Array {
  const digest = createHmac('sha256', key).update(message, 'utf8').digest();
  const out = new Uint8Array(digest);
  wipe(digest);
  return out;
}

/** Unpadded base64url, read in place: `Buffer.from(bytes)` would leave a copy in the shared pool. */
function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * The secret of the invitation `invitationId`'s link issued at `issuedAt` (the invitation's ISO
 * string, as the server gives it), under the "link secrets" key `linkKey`. The caller owns it
 * and wipes it.
 */
export function linkSecret(linkKey: Uint8Array, invitationId: string, issuedAt: string): Uint8Array {
  return mac(linkKey, `link secret\n${invitationId}\n${issuedAt}`);
}

/** The tag that says which key made a secret: 8 bytes of an HMAC under `linkKey`, base64url (11 characters). */
export function linkIssuer(linkKey: Uint8Array): string {
  const tag = mac(linkKey, 'link issuer');
  const issuer = base64url(tag.subarray(0, ISSUER_BYTES));
  wipe(tag);
  return issuer;
}

/** `url` with the secret and its issuer in the fragment: `…#k=<secret, 43 characters>.<issuer, 11>`. */
export function withLinkSecret(url: string, secret: Uint8Array, issuer: string): string {
  // Any other length makes a fragment the participant page cannot read: a bug, not a link to send.
  if (secret.length !== LINK_SECRET_BYTES) throw new Error(`a link secret is ${LINK_SECRET_BYTES} bytes, not ${secret.length}`);
  return `${url}#k=${base64url(secret)}.${issuer}`;
}

/**
 * Runs `use` with the "link secrets" key derived from `keychainKey`, then wipes both; null
 * without a keychain key. The keychain key is a copy the key store handed out, owned here.
 */
function withLinkKey<T>(keychainKey: Uint8Array | null, use: (linkKey: Uint8Array) => T): T | null {
  if (keychainKey === null) return null;
  const linkKey = purposeKey(keychainKey, 'link secrets');
  wipe(keychainKey);
  try {
    return use(linkKey);
  } finally {
    wipe(linkKey);
  }
}

/**
 * The server's answer to issuing or re-issuing, as the renderer gets it: the link with its
 * secret, or (no keychain key) the link as it was and `linkSecret: false`.
 */
export function issuedWithSecret(issued: IssuedInvitation, keychainKey: Uint8Array | null): IssuedInvitationLink {
  const url = withLinkKey(keychainKey, (linkKey) => {
    const secret = linkSecret(linkKey, issued.invitation.id, issued.invitation.issuedAt);
    try {
      return withLinkSecret(issued.url, secret, linkIssuer(linkKey));
    } finally {
      wipe(secret);
    }
  });
  return url === null ? { ...issued, linkSecret: false } : { ...issued, url, linkSecret: true };
}

/**
 * The secrets of a session's active links, by participantId (what the room checks a client's
 * key against), and this console's issuer tag. A revoked or expired invitation's link opens
 * nothing, so it has no secret worth checking.
 */
export function secretsOf(invitations: readonly InvitationSummary[], keychainKey: Uint8Array | null): InvitationLinkSecrets {
  return (
    withLinkKey(keychainKey, (linkKey) => ({
      issuer: linkIssuer(linkKey),
      // fromEntries defines own properties: no participantId can reach the prototype.
      secrets: Object.fromEntries(
        invitations
          .filter((i) => i.state === 'active')
          .map((i) => {
            const secret = linkSecret(linkKey, i.id, i.issuedAt);
            const text = base64url(secret);
            wipe(secret);
            return [i.participantId, text];
          }),
      ),
    })) ?? { issuer: null, secrets: {} }
  );
}
