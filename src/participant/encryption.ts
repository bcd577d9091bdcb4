/**
 * The participant page's end-to-end encryption (issue 19): a frame worker for the visit
 * (FrameCipher, given to each media engine), a fresh key pair for every connection (announced
 * with the proof from the link's secret), the group key as the facilitator's console sends it
 * (taken only from a console the link's secret or the safety code vouches for), and private
 * messages sealed and opened under it.
 *
 * A waiting client holds no key: back in the waiting room, or out of the visit, every key is
 * forgotten. A browser that cannot transform frames sends and plays nothing of the group
 * (ClearAudioOnly, refusing everything), and its announcement says so, so the facilitator
 * knows why; unless the facilitator's console, in its sealed box, lets this person take part
 * by audio in the clear: then their microphone and the group's clear voices, nothing else.
 */
import type { GroupKey, SealedMessage } from '../shared/protocol';
import type { SignalingClient } from '../client/signaling';
import type { FrameTransforms } from '../client/sessionContext';
import { canEncryptFrames, ClearAudioOnly, FrameCipher } from '../client/e2ee/frameCipher';
import { GroupKeys } from '../client/e2ee/groupKeys';
import { KeyMember, type HolderTrust } from '../client/e2ee/keyMember';
import { KeyWait } from '../client/e2ee/keyWait';
import { toBase64url } from '../client/e2ee/base64url';
import { warmUpKeyOpening } from '../client/e2ee/keys';
import { keyLog } from '../client/e2ee/keyLog';
import { announce, initialEncryption, pageState, setPageState, type EncryptionStatus } from './store';
import { words } from './i18n';

export interface LinkSecret {
  linkSecret?: Uint8Array | undefined;
  linkIssuer?: string | undefined;
}

export class PageEncryption {
  private cipher: FrameCipher | null = null;
  private keys: GroupKeys | null = null;
  private member: KeyMember | null = null;
  /** The connection the member's key was announced on. */
  private signaling: SignalingClient | null = null;
  /** In the group without the key it needs: announce again (keyWait.ts). */
  private readonly keyWait = new KeyWait(() => this.announceAgain());
  /** The holder key of an offer waiting for the safety code. */
  private pendingHolder: string | null = null;
  /** Admitted, as far as this page has heard: a key offered outside the group is not taken. */
  private inGroup = false;
  private readonly supported = canEncryptFrames();
  /** This browser's frames, when it cannot encrypt: nothing, or audio in the clear once allowed. */
  private readonly clearOnly = new ClearAudioOnly();
  /** Who takes part by audio in the clear, as the holder's newest box says; the media engine hears it. */
  private clearAudio: readonly string[] = [];
  private participantId: string | null = null;
  /** The group call's media engine follows the holder's word on who is in the clear. */
  onClearAudio: ((participantIds: readonly string[], selfInClear: boolean) => void) | null = null;

  constructor(private readonly link: LinkSecret) {
    if (!this.supported) this.show('unsupported');
  }

  /** What each media engine seals and opens frames with (the visit's worker, made on first use). */
  get frames(): FrameTransforms {
    if (!this.supported) return this.clearOnly;
    return this.ensureCipher();
  }

  /** Whether `producerId` is this person's own voice in the clear, in `room`. */
  ownClearVoice(room: { ownsProducer(producerId: string): boolean }, producerId: string): boolean {
    return this.clearOnly.isAllowed && room.ownsProducer(producerId);
  }

  /**
   * The server closed this person's voice in the clear: the allowance is over (a server can
   * end it, never begin it). The next sealed box that names them would allow it again.
   */
  clearAudioEnded(): void {
    if (!this.clearOnly.isAllowed) return;
    this.setClearAudio(this.clearAudio.filter((id) => id !== this.participantId));
    this.show('unsupported');
  }

  /** Whether this person, whose browser cannot encrypt, may take part by audio in the clear now. */
  get selfInClear(): boolean {
    return this.clearOnly.isAllowed;
  }

  /** Who takes part by audio in the clear now, as the facilitator's console's sealed word says. */
  get inClear(): readonly string[] {
    return this.clearAudio;
  }

  /** Whether this browser can take part in an encrypted call at all. */
  get canEncrypt(): boolean {
    return this.supported;
  }

  /**
   * A hello succeeded on `signaling` (the passcode's, or a resume after a drop): a key pair
   * for this connection, announced to the facilitators. Keys already held stay until the
   * facilitator's console sends the next, sealed to the new public key.
   */
  async connected(signaling: SignalingClient, participantId: string): Promise<void> {
    const member = new KeyMember({
      participantId,
      linkSecret: this.link.linkSecret,
      linkIssuer: this.link.linkIssuer,
      cannotEncrypt: !this.supported,
      onGroupKey: (epoch, key, clearAudio) => void this.keyed(epoch, key, clearAudio),
      onHolderTrust: (trust, holderKey) => void this.holderTrust(member, trust, holderKey),
    });
    this.member = member;
    this.signaling = signaling;
    this.participantId = participantId;
    keyLog(`page ${participantId}: connected, announcing ${toBase64url(member.keys.publicKey).slice(0, 6)}`);
    try {
      await signaling.request('publishKey', await member.announcement());
    } catch (err) {
      // The socket closed meanwhile: the next connection announces a new key.
      console.warn('publishKey:', err);
    }
    // Admission opens the group key at once, while the streams are being set up: not cold.
    if (this.supported) setTimeout(() => warmUpKeyOpening(), 0);
  }

  /** A `groupKey` notification: opened only if its holder is vouched for. */
  async groupKey(offer: GroupKey): Promise<void> {
    // A browser that cannot encrypt takes the holder's box too: it is how it learns, from the
    // facilitator and not the server, whether it may take part by audio in the clear.
    if (!this.inGroup || pageState().screen === 'ended') {
      return keyLog(`page: epoch ${offer.epoch} not taken: ${this.inGroup ? 'the visit is over' : 'not in the group'}`);
    }
    await this.member?.groupKey(offer);
  }

  /** The person read the same code as the facilitator: trust that console, and open its key. */
  async confirmCode(): Promise<void> {
    const holder = this.pendingHolder;
    if (!holder || !this.member) return;
    this.pendingHolder = null;
    if (!(await this.member.confirmHolder(holder))) this.show('waiting');
  }

  /** Let into the group: encrypted once the key comes. */
  admitted(): void {
    this.inGroup = true;
    keyLog(`page: in the group, ${this.keys?.hasKey ? `holding epoch ${this.keys.epoch}` : 'no key yet'}`);
    if (!this.supported) return;
    this.show(this.keys?.hasKey ? 'on' : 'waiting');
    if (!this.keys?.hasKey) this.keyWait.waiting();
  }

  /** Back in the waiting room, or the connection dropped: no key is kept while out of the group. */
  outOfGroup(): void {
    if (this.inGroup) keyLog('page: out of the group, keys forgotten');
    this.inGroup = false;
    this.keyWait.settled();
    this.keys?.forget();
    this.pendingHolder = null;
    this.setClearAudio([]);
    if (this.supported) setPageState({ encryption: initialEncryption });
    else this.show('unsupported');
  }

  /** The visit is over: the worker goes, with every key. */
  ended(): void {
    this.outOfGroup();
    this.cipher?.close();
    this.cipher = null;
    this.keys = null;
    this.member = null;
  }

  /** A private message to the facilitators, sealed; undefined without a key. */
  seal(from: string, to: string, text: string): SealedMessage | undefined {
    return this.keys?.seal(from, to, text);
  }

  open(sealed: SealedMessage, from: string, to: string): string | undefined {
    return this.keys?.open(sealed, from, to);
  }

  private ensureCipher(): FrameCipher {
    if (!this.cipher) {
      this.cipher = new FrameCipher();
      this.keys = new GroupKeys(this.cipher);
      // Frames under a key change that has not reached this page: ask for it again.
      this.cipher.onMissingKey(() => {
        if (this.inGroup) this.keyWait.waiting();
      });
    }
    return this.cipher;
  }

  private async keyed(epoch: number, key: Uint8Array, clearAudio: readonly string[]): Promise<void> {
    if (!this.inGroup) return;
    if (!this.supported) {
      // No frame worker: the key serves the messages alone; the box's list is what matters.
      this.keys ??= new GroupKeys();
      await this.keys.set(epoch, key);
      this.keyWait.settled();
      this.pendingHolder = null;
      this.setClearAudio(clearAudio);
      this.show(this.clearOnly.isAllowed ? 'clearAudio' : 'unsupported');
      return;
    }
    this.ensureCipher();
    const first = !this.keys!.hasKey;
    this.cipher!.setClearAudio(clearAudio);
    await this.keys!.set(epoch, key);
    keyLog(`page: sealing and opening with epoch ${epoch}`);
    this.keyWait.settled();
    this.pendingHolder = null;
    this.setClearAudio(clearAudio);
    this.show('on');
    // Joining says so itself (group.ts); a key that comes later is announced on its own.
    if (first && pageState().screen === 'call') announce(words().call.encryptedNow);
  }

  /** The same key once more, on the connection it was announced on: the holder sends the key again. */
  private async announceAgain(): Promise<void> {
    const { member, signaling } = this;
    if (!member || !signaling || !this.inGroup) return;
    keyLog('page: no key yet, announcing again');
    await signaling.request('publishKey', await member.announcement());
  }

  /** The holder's word on who is in the clear: the frames, the media engine and the page follow it. */
  private setClearAudio(participantIds: readonly string[]): void {
    const self = this.participantId;
    const selfInClear = !this.supported && self !== null && participantIds.includes(self);
    const changed = participantIds.join('\n') !== this.clearAudio.join('\n') || selfInClear !== this.clearOnly.isAllowed;
    this.clearAudio = [...participantIds];
    this.clearOnly.setAllowed(selfInClear);
    if (!changed) return;
    keyLog(`page: in the clear now: [${participantIds.join(', ')}]`);
    this.onClearAudio?.(this.clearAudio, selfInClear);
  }

  /** What the page shows, with the epoch of the newest key held (none out of the group). */
  private show(status: EncryptionStatus, code: string | null = null): void {
    const self = this.participantId;
    const othersInClear = this.clearAudio.some((id) => id !== self);
    setPageState({ encryption: { status, code, epoch: this.keys?.epoch ?? null, othersInClear } });
  }

  private async holderTrust(member: KeyMember, trust: HolderTrust, holderKey: string): Promise<void> {
    // An offer came: what follows is the person's to do (read the code), not the holder's.
    if (trust === 'needs code' || trust === 'proof failed') this.keyWait.settled();
    if (trust === 'needs code') {
      this.pendingHolder = holderKey;
      this.show('needsCode', (await member.codeFor(holderKey)) ?? null);
    } else if (trust === 'proof failed') {
      this.pendingHolder = null;
      this.show('refused');
    }
  }
}

