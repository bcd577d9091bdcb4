/**
 * A member's side of an end-to-end encrypted call (issue 19): the participant page's, and a
 * co-facilitator's or observer's console. It makes a key pair for this connection, announces
 * the public key (with a proof from its invitation link's secret, where it has one), and takes
 * a group key only from a holder it trusts: one whose proof, made with the same secret, holds;
 * or one whose safety code the person has confirmed (`confirmHolder`). A group key from anyone
 * else is refused and said so, because sending under a key someone in between chose would give
 * them this person's picture and voice.
 */
import type { GroupKey, KeyAnnouncement } from '../../shared/protocol';
import { keyLog } from './keyLog';
import { fromBase64url, keyProof, newKeyPair, openGroupKeyBox, prepareBoxKey, proofHolds, safetyCode, toBase64url, type KeyPair } from './keys';

/** Where the holder of a group key stands with this member. */
export type HolderTrust = 'proved' | 'proof failed' | 'needs code' | 'code confirmed';

export interface KeyMemberDeps {
  participantId: string;
  /** The secret from the invitation link's fragment; none for a link without one, or a clinician. */
  linkSecret?: Uint8Array | undefined;
  /** Which console made that secret (the fragment says), so that console knows to check the proof. */
  linkIssuer?: string | undefined;
  /** This browser cannot transform frames: announced, so the facilitator sees why no key is sent. */
  cannotEncrypt?: boolean;
  /**
   * A group key to seal and open frames with, and who takes part by audio in the clear under
   * it (the holder's word, from inside its box: nobody else can say it).
   */
  onGroupKey(epoch: number, key: Uint8Array, clearAudio: readonly string[]): void;
  /** How the holder of the last key offered stands (the page shows it). */
  onHolderTrust?(trust: HolderTrust, holderKey: string): void;
}

export class KeyMember {
  readonly keys: KeyPair = newKeyPair();
  /** Holder public keys (base64url) whose safety code this person confirmed. */
  private readonly confirmed = new Set<string>();
  /** The last offer from a holder not trusted yet, kept so a confirmation can open it. */
  private pending: GroupKey | undefined;
  /**
   * The newest epoch opened from each holder key. A holder's epochs only go forward (wrapping
   * at 256), so an older one from the same holder is the server replaying a box it kept: its
   * key, and its word on who is in the clear, were replaced.
   */
  private readonly newestFrom = new Map<string, number>();

  constructor(private readonly deps: KeyMemberDeps) {
    // Made while waiting: opening the group key as this person is let in then takes one step less.
    prepareBoxKey(this.keys);
  }

  /** What `publishKey` sends: this connection's public key, and its proof where there is a link secret. */
  async announcement(): Promise<KeyAnnouncement> {
    const publicKey = toBase64url(this.keys.publicKey);
    const { linkSecret: secret, linkIssuer, cannotEncrypt } = this.deps;
    const base: KeyAnnouncement = { publicKey, ...(cannotEncrypt ? { cannotEncrypt: true as const } : {}) };
    if (!secret) return base;
    return {
      ...base,
      proof: toBase64url(await keyProof(secret, 'member', this.deps.participantId, this.keys.publicKey)),
      ...(linkIssuer ? { issuer: linkIssuer } : {}),
    };
  }

  /** A `groupKey` notification: opened and used only if its holder is trusted; true when used. */
  async groupKey(offer: GroupKey): Promise<boolean> {
    const holderKey = fromBase64url(offer.holderKey, 32);
    if (!holderKey) return false;
    const trust = await this.trustOf(offer, holderKey);
    this.deps.onHolderTrust?.(trust, offer.holderKey);
    if (trust !== 'proved' && trust !== 'code confirmed') {
      keyLog(`member ${this.deps.participantId}: epoch ${offer.epoch} from ${offer.from}: ${trust}`);
      this.pending = trust === 'needs code' ? offer : undefined;
      return false;
    }
    const sealed = fromBase64url(offer.sealed);
    const nonce = fromBase64url(offer.nonce, 24);
    const opened = sealed && sealed.byteLength >= 49 && nonce ? await openGroupKeyBox({ sealed, nonce }, offer.epoch, holderKey, this.keys) : undefined;
    keyLog(`member ${this.deps.participantId}: epoch ${offer.epoch} from ${offer.from}: ${trust}, ${opened ? `opened${opened.clearAudio.length > 0 ? `, in the clear: ${opened.clearAudio.join(', ')}` : ''}` : `does not open with ${toBase64url(this.keys.publicKey).slice(0, 6)}`}`);
    if (!opened) return false;
    const newest = this.newestFrom.get(offer.holderKey);
    const behind = newest === undefined ? 0 : (newest - offer.epoch + 256) % 256;
    if (behind > 0 && behind < 128) {
      keyLog(`member ${this.deps.participantId}: epoch ${offer.epoch} is older than ${newest} from the same holder: not used`);
      return false;
    }
    this.newestFrom.set(offer.holderKey, offer.epoch);
    this.deps.onGroupKey(offer.epoch, opened.key, opened.clearAudio);
    return true;
  }

  /** The code this person reads with the facilitator, for the holder of the last offer. */
  async codeFor(holderKey: string): Promise<string | undefined> {
    const holder = fromBase64url(holderKey, 32);
    return holder ? safetyCode(holder, this.keys.publicKey) : undefined;
  }

  /** The codes matched: trust this holder from now on, and open the key it offered. */
  async confirmHolder(holderKey: string): Promise<boolean> {
    this.confirmed.add(holderKey);
    const offer = this.pending;
    this.pending = undefined;
    return offer?.holderKey === holderKey ? this.groupKey(offer) : false;
  }

  private async trustOf(offer: GroupKey, holderKey: Uint8Array): Promise<HolderTrust> {
    const secret = this.deps.linkSecret;
    if (secret) {
      const proof = offer.holderProof === undefined ? undefined : fromBase64url(offer.holderProof, 32);
      if (proof && (await proofHolds(secret, 'holder', this.deps.participantId, holderKey, proof))) return 'proved';
      // A console without this link's secret (a co-facilitator's) can still be confirmed by code.
      if (proof) return 'proof failed';
    }
    return this.confirmed.has(offer.holderKey) ? 'code confirmed' : 'needs code';
  }
}
