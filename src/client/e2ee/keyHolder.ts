/**
 * The facilitator console's side of an end-to-end encrypted call (issue 19): it makes the
 * group's key, gives it only to people in the group whose public keys it trusts, and makes a
 * new one whenever someone leaves the group, so they cannot open what follows.
 *
 * Whom it trusts: a member whose announced key carries a proof made with their invitation
 * link's secret (which this console made and kept, and the server never saw); or one whose
 * safety code the facilitator and the person have read to each other (`confirmCode`). A key
 * whose proof is wrong is a key someone put in between (the server, or whoever controls it):
 * that person gets no key, and the console says so, until they reconnect with a good one.
 *
 * Someone whose browser cannot seal frames gets no key either, unless the facilitator lets
 * them take part by audio in the clear (`allowClearAudio`): then the list of such people goes
 * inside every sealed box with a new key, the only word on it members act on, and they get a
 * box too (their key trusted as anyone's), so they know it is the facilitator's word and not
 * the server's.
 */
import type { MemberKey, SealedKey } from '../../shared/protocol';
import { keyLog } from './keyLog';
import { fromBase64url, keyProof, MAX_CLEAR_AUDIO, newGroupKey, newKeyPair, prepareBoxKey, proofHolds, safetyCode, sealGroupKey, toBase64url, type KeyPair } from './keys';

/** Where a member's key stands with this console. */
export type MemberTrust =
  /** Announced no key yet. */
  | 'no key'
  /** Its proof holds: they get the key. */
  | 'proved'
  /** Its proof does not hold: someone is in between; they get nothing. */
  | 'proof failed'
  /** No proof (no link secret here): the safety code must be read aloud first. */
  | 'needs code'
  /** The facilitator confirmed the safety code: they get the key. */
  | 'code confirmed'
  /**
   * Their browser cannot seal and open frames: they get no key, and cannot see or hear the
   * group, unless the facilitator lets them take part by audio in the clear.
   */
  | 'cannot encrypt';

/** How far a member's key itself is trusted, whatever their browser can do. */
export type KeyTrust = Exclude<MemberTrust, 'no key' | 'cannot encrypt'>;

export interface KeyHolderDeps {
  /** Sends one sealed group key (the `sendGroupKey` method). */
  send(to: string, key: SealedKey): Promise<void>;
  /**
   * The secret of this participant's invitation link, when this console issued it: `issuer`
   * is the console the member's link names (a link from another console has no secret here,
   * which is no sign of anyone in between).
   */
  linkSecretFor(participantId: string, issuer: string | undefined): Uint8Array | undefined;
  /**
   * The group key changed: this console's own frames are sealed and opened with it.
   * `clearAudio`: who takes part by audio in the clear under it (sealed into every box).
   */
  onGroupKey(epoch: number, key: Uint8Array, clearAudio: readonly string[]): void;
  /** A member's trust changed (the console shows it beside them). */
  onTrust?(participantId: string, trust: MemberTrust): void;
}

interface Member {
  publicKey: Uint8Array;
  issuer: string | undefined;
  /** How far their key is trusted (proof or code), their browser aside. */
  trust: KeyTrust;
  /** Their browser cannot seal frames. */
  cannotEncrypt: boolean;
  /** The epoch this member last got. */
  sentEpoch: number | undefined;
}

export class KeyHolder {
  readonly keys: KeyPair = newKeyPair();
  private epoch: number;
  private groupKey = newGroupKey();
  private readonly members = new Map<string, Member>();
  private admitted = new Set<string>();
  /** Whom the facilitator lets take part by audio unencrypted (sealed into every box). */
  private readonly clearAudio = new Set<string>();

  /**
   * `firstEpoch`: a console taking over from another holder starts after the last epoch it
   * was given, so its key never shares an epoch with one still in use.
   */
  constructor(
    private readonly deps: KeyHolderDeps,
    firstEpoch = 0,
  ) {
    this.epoch = firstEpoch % 256;
    deps.onGroupKey(this.epoch, this.groupKey, []);
    // Made now, not as the first person is let in with a box sealed to them.
    prepareBoxKey(this.keys);
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  trustOf(participantId: string): MemberTrust {
    const member = this.members.get(participantId);
    return !member ? 'no key' : member.cannotEncrypt ? 'cannot encrypt' : member.trust;
  }

  /** How far a member's key is trusted, their browser aside (the code may still need reading). */
  keyTrustOf(participantId: string): KeyTrust | undefined {
    return this.members.get(participantId)?.trust;
  }

  /** Who may take part by audio in the clear now, as every box since the last change says. */
  get clearAudioList(): string[] {
    return [...this.clearAudio].sort();
  }

  /**
   * Someone announced their public key (on each connection, and again while they wait for a
   * key that has not come: keyWait.ts): checked, then keyed if in the group, with the current
   * key even if it was sent before.
   */
  async memberKey(announced: MemberKey): Promise<void> {
    const publicKey = fromBase64url(announced.publicKey, 32);
    if (!publicKey) return;
    const secret = this.deps.linkSecretFor(announced.participantId, announced.issuer);
    const proof = announced.proof === undefined ? undefined : fromBase64url(announced.proof, 32);
    const known = this.members.get(announced.participantId);
    let trust: KeyTrust;
    // The code read aloud vouches for this key pair: the same key announced again keeps it.
    if (known?.trust === 'code confirmed' && sameBytes(known.publicKey, publicKey)) trust = 'code confirmed';
    else if (secret) trust = proof && (await proofHolds(secret, 'member', announced.participantId, publicKey, proof)) ? 'proved' : 'proof failed';
    else trust = 'needs code';
    const cannotEncrypt = announced.cannotEncrypt === true;
    this.members.set(announced.participantId, { publicKey, issuer: announced.issuer, trust, cannotEncrypt, sentEpoch: undefined });
    // A browser that can encrypt after all (another one, on the same link) needs no allowance.
    if (!cannotEncrypt && this.clearAudio.has(announced.participantId)) await this.allowClearAudio(announced.participantId, false);
    this.deps.onTrust?.(announced.participantId, this.trustOf(announced.participantId));
    keyLog(`holder: ${announced.participantId} announced ${announced.publicKey.slice(0, 6)}: ${trust}${cannotEncrypt ? ', cannot encrypt' : ''}${this.admitted.has(announced.participantId) ? '' : ' (not in the group)'}`);
    if (this.admitted.has(announced.participantId)) await this.keyMember(announced.participantId);
  }

  /** The code to read with this member, once they announced a key. */
  async codeFor(participantId: string): Promise<string | undefined> {
    const member = this.members.get(participantId);
    return member ? safetyCode(this.keys.publicKey, member.publicKey) : undefined;
  }

  /** The facilitator and the member read the same code: trust their key, and key them. */
  async confirmCode(participantId: string): Promise<void> {
    const member = this.members.get(participantId);
    if (!member || member.trust === 'proof failed') return;
    member.trust = 'code confirmed';
    this.deps.onTrust?.(participantId, this.trustOf(participantId));
    if (this.admitted.has(participantId)) await this.keyMember(participantId);
  }

  /**
   * Who is in the group now (connected and admitted, other than this console). Anyone who
   * was and is not any more (removed, back to waiting, left) makes a new key for everyone
   * still there; anyone new gets the current key.
   */
  async groupIs(participantIds: Iterable<string>): Promise<void> {
    const now = new Set(participantIds);
    const gone = [...this.admitted].filter((id) => !now.has(id));
    const left = gone.length > 0;
    this.admitted = now;
    for (const id of [...this.members.keys()]) if (!now.has(id)) this.members.get(id)!.sentEpoch = undefined;
    // Leaving the group ends an allowance to be heard in the clear: it is given again, or not.
    for (const id of gone) this.clearAudio.delete(id);
    keyLog(`holder: group is [${[...now].join(', ')}]${left ? `, someone left: epoch ${(this.epoch + 1) % 256}` : ''}`);
    if (left) this.newKey();
    await Promise.all([...now].map((id) => this.keyMember(id)));
  }

  /**
   * The facilitator lets `participantId`, whose browser cannot seal frames, take part by audio
   * in the clear, or no longer: a new key, sealed to everyone in the group with the new list,
   * and to them. True when the list changed. Only for someone who announced that they cannot
   * encrypt; at most MAX_CLEAR_AUDIO people at once.
   */
  async allowClearAudio(participantId: string, allowed: boolean): Promise<boolean> {
    const member = this.members.get(participantId);
    if (allowed === this.clearAudio.has(participantId)) return false;
    if (allowed && (!member?.cannotEncrypt || this.clearAudio.size >= MAX_CLEAR_AUDIO)) return false;
    if (allowed) this.clearAudio.add(participantId);
    else this.clearAudio.delete(participantId);
    keyLog(`holder: ${participantId} ${allowed ? 'may' : 'may no longer'} take part by audio in the clear: epoch ${(this.epoch + 1) % 256}`);
    this.newKey();
    await Promise.all([...this.admitted].map((id) => this.keyMember(id)));
    return true;
  }

  private newKey(): void {
    this.epoch = (this.epoch + 1) % 256;
    this.groupKey = newGroupKey();
    this.deps.onGroupKey(this.epoch, this.groupKey, this.clearAudioList);
  }

  /** Whether `member` gets boxes: a trusted key, and a browser that can seal frames or the facilitator's allowance. */
  private keyed(member: Member | undefined, participantId: string): member is Member {
    if (!member || (member.trust !== 'proved' && member.trust !== 'code confirmed')) return false;
    return !member.cannotEncrypt || this.clearAudio.has(participantId);
  }

  /**
   * The current key sealed to someone about to be admitted, if their key is trusted, to go
   * with their admission (`admit`'s `groupKey`): they then hold it the moment they are let in,
   * rather than a round trip later. It counts as sent; `notDelivered` says when it was not.
   */
  async offerFor(participantId: string): Promise<SealedKey | undefined> {
    const member = this.members.get(participantId);
    if (!this.keyed(member, participantId)) return undefined;
    const epoch = this.epoch;
    member.sentEpoch = epoch;
    return this.seal(member, participantId, epoch);
  }

  /** A key sealed to this person did not reach them (their admission failed): the next change sends it. */
  notDelivered(participantId: string, epoch: number): void {
    const member = this.members.get(participantId);
    if (member?.sentEpoch === epoch) member.sentEpoch = undefined;
  }

  private async keyMember(participantId: string): Promise<void> {
    const member = this.members.get(participantId);
    if (!this.keyed(member, participantId)) return;
    if (member.sentEpoch === this.epoch) return;
    const epoch = this.epoch;
    member.sentEpoch = epoch;
    try {
      await this.deps.send(participantId, await this.seal(member, participantId, epoch));
      keyLog(`holder: sent epoch ${epoch} to ${participantId}`);
    } catch (err) {
      keyLog(`holder: epoch ${epoch} to ${participantId} not delivered: ${err instanceof Error ? err.message : String(err)}`);
      // Not delivered (they dropped, or the server has not let them back in yet): sent again
      // at the next change, or when they announce their key again (they will: keyWait.ts).
      if (member.sentEpoch === epoch) member.sentEpoch = undefined;
    }
  }

  private async seal(member: Member, participantId: string, epoch: number): Promise<SealedKey> {
    const { sealed, nonce } = await sealGroupKey(this.groupKey, epoch, member.publicKey, this.keys, this.clearAudioList);
    const secret = this.deps.linkSecretFor(participantId, member.issuer);
    const holderProof = secret ? await keyProof(secret, 'holder', participantId, this.keys.publicKey) : undefined;
    return {
      epoch,
      sealed: toBase64url(sealed),
      nonce: toBase64url(nonce),
      holderKey: toBase64url(this.keys.publicKey),
      ...(holderProof ? { holderProof: toBase64url(holderProof) } : {}),
    };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}
