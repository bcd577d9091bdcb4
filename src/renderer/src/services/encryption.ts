/**
 * The console's end-to-end encryption of a call (issue 19). One facilitator's console holds
 * the group key (KeyHolder): the connected facilitator with the smallest participantId, which
 * every console works out alike from the room's list. It makes the key, gives it to each
 * person in the group whose public key it trusts, and makes a new one whenever someone leaves
 * the group. Every other clinician's console (a co-facilitator, an observer) is a member
 * (KeyMember), as a client's page is. The holder changing (the holder left or dropped) makes a
 * new key too, under the next epoch, so it never shares an epoch with one still in use.
 *
 * Trust: a client's key is proved by their invitation link's secret, which this console can
 * make again for links it issued (main's `invitations:linkSecrets`); anyone else's (a link
 * another console issued, a link from before this work, a colleague's console) by the safety
 * code both read to each other, confirmed here with `confirmCode`. The server chose none of it:
 * what it relays is public keys and sealed boxes.
 */
import type { GroupKey, MemberKey, Participant, SealedKey, SealedMessage } from '../../../shared/protocol';
import type { SignalingClient } from '../../../client/signaling';
import { FrameCipher } from '../../../client/e2ee/frameCipher';
import { GroupKeys, type KeySink } from '../../../client/e2ee/groupKeys';
import type { FrameTransforms } from '../../../client/sessionContext';
import { fromBase64url } from '../../../client/e2ee/base64url';
import { KeyHolder, type MemberTrust } from '../../../client/e2ee/keyHolder';
import { KeyMember, type HolderTrust } from '../../../client/e2ee/keyMember';
import { KeyWait } from '../../../client/e2ee/keyWait';
import { keyLog } from '../../../client/e2ee/keyLog';
import { call } from '../bridge';
import { t } from '../i18n';

/** What the console shows about the call's encryption (roomSlice's `encryption`). */
export interface EncryptionView {
  /** This console holds the group key, or is given it, or neither yet. */
  role: 'holder' | 'member' | null;
  /** Whether this console seals and opens with a group key now. */
  keyed: boolean;
  /** The epoch of the newest group key, if any (shown to support as `data-epoch`). */
  epoch: number | null;
  /** Each other person's key, as the holder sees it (empty on a member's console). */
  trust: Record<string, MemberTrust>;
  /** On a member's console: the holder's standing, and the code to read with them. */
  holder: { participantId: string | null; trust: HolderTrust; code: string | null } | null;
  /**
   * Who takes part by audio in the clear, as the holder's newest sealed word says (the holder's
   * own list on its console): while anyone does, the call is not fully end-to-end encrypted.
   */
  clearAudio: string[];
}

export const noEncryption: EncryptionView = { role: null, keyed: false, epoch: null, trust: {}, holder: null, clearAudio: [] };

/** What a frame worker does for the console: seal and open frames, with the keys it is given. */
export type ConsoleFrames = FrameTransforms & KeySink & Pick<FrameCipher, 'close' | 'onMissingKey' | 'setClearAudio'>;

export interface EncryptionDeps {
  /** The session's connection; only its requests are used. */
  signaling: Pick<SignalingClient, 'request'>;
  sessionId: string;
  selfId: string;
  /** Reports what the console shows. */
  onView(view: EncryptionView): void;
  /** Something went wrong that the facilitator should hear about. */
  onError(message: string): void;
  /** The holder's word on who takes part by audio in the clear changed: the media engine follows (RoomClient.setClearAudio). */
  onClearAudio?(participantIds: readonly string[]): void;
  /** The frame worker (by default the console's own FrameCipher). */
  frames?: ConsoleFrames;
  /** The link secrets this console can make for the session (by default main's `invitations:linkSecrets`). */
  linkSecrets?: (sessionId: string) => Promise<{ issuer: string | null; secrets: Record<string, string> }>;
}

/** The console that holds the key: the connected facilitator with the smallest participantId. */
export function holderOf(participants: Iterable<Participant>): string | undefined {
  let holder: string | undefined;
  for (const p of participants) {
    if (p.role !== 'facilitator' || p.connection === 'reconnecting') continue;
    if (holder === undefined || p.participantId < holder) holder = p.participantId;
  }
  return holder;
}

interface LinkSecrets {
  issuer: string | null;
  secrets: Map<string, Uint8Array>;
}

export class ConsoleEncryption {
  readonly frames: ConsoleFrames;
  private readonly keys: GroupKeys;
  /** This connection's key pair as a member, announced at once (a holder needs none of it). */
  private readonly member: KeyMember;
  /** A member without the key it needs announces again (keyWait.ts). */
  private readonly keyWait: KeyWait;
  private holder: KeyHolder | null = null;
  /** Every key announced in the room, kept so that a console becoming the holder has them. */
  private readonly announced = new Map<string, MemberKey>();
  private linkSecrets: LinkSecrets | null = null;
  private loadingSecrets: { startedAt: number; done: Promise<void> } | null = null;
  /** When the read of the secrets held now began. */
  private secretsReadAt = -Infinity;
  private lastEpoch: number | undefined;
  private view: EncryptionView = noEncryption;
  private holderId: string | null = null;
  private pendingHolderKey: string | null = null;
  /** Who takes part by audio in the clear, as the newest key's box said. */
  private clearAudio: readonly string[] = [];
  /** The room's list as last heard: who is in the group is always read from the newest. */
  private participants: Participant[] = [];
  private closed = false;

  constructor(private readonly deps: EncryptionDeps) {
    this.frames = deps.frames ?? new FrameCipher();
    this.keys = new GroupKeys(this.frames);
    this.member = new KeyMember({
      participantId: deps.selfId,
      onGroupKey: (epoch, key, clearAudio) => void this.keyed(epoch, key, clearAudio),
      onHolderTrust: (trust, holderKey) => void this.holderTrust(trust, holderKey),
    });
    this.keyWait = new KeyWait(async () => {
      if (this.holder || this.closed) return;
      keyLog(`console ${deps.selfId}: no key yet, announcing again`);
      await this.deps.signaling.request('publishKey', await this.member.announcement());
    });
    // Frames under a key change that has not reached this console (a member's): ask again.
    this.frames.onMissingKey(() => {
      if (!this.holder && this.holderId) this.keyWait.waiting();
    });
  }

  /**
   * Announces this console's key, and learns the keys announced so far. `participants` is the
   * room's list as the console joined; a list that came while the announcement was on its way
   * is newer, and is the one applied (after a restart the console's snapshot may predate a
   * client's return by moments: applied last, it took them out of the group).
   */
  async start(participants: Iterable<Participant>): Promise<void> {
    this.participants = [...participants];
    try {
      await this.deps.signaling.request('publishKey', await this.member.announcement());
    } catch (err) {
      if (!this.closed) this.deps.onError(t.room.encryptionFailed(err instanceof Error ? err.message : String(err)));
    }
    await this.update(this.participants);
  }

  /** The room's list changed: who holds the key, and (on the holder) who is in the group. */
  async update(participants: Iterable<Participant>): Promise<void> {
    if (this.closed) return;
    this.participants = [...participants];
    const holderId = holderOf(this.participants) ?? null;
    if (holderId !== this.holderId) {
      keyLog(`console ${this.deps.selfId}: the key holder is ${holderId ?? 'nobody'}`);
      this.holderId = holderId;
      if (holderId === this.deps.selfId) await this.becomeHolder();
      else this.stopHolding();
    }
    // Read after the wait above: a list captured before it may be older than one another
    // update has applied meanwhile, and applying it last would take people out of the group
    // (a new key they never get) until the room's list next changed.
    const holder = this.holder;
    if (holder && !this.closed) await holder.groupIs(this.inGroup());
  }

  /** Who the holder keys: everyone in the room's newest list but this console, unless reconnecting. */
  private inGroup(): string[] {
    return this.participants.filter((p) => p.participantId !== this.deps.selfId && p.connection !== 'reconnecting').map((p) => p.participantId);
  }

  /** Someone announced their key (`memberKey`): kept, and checked by the holder. */
  async memberKey(announced: MemberKey): Promise<void> {
    if (announced.participantId === this.deps.selfId) return;
    this.announced.set(announced.participantId, announced);
    const holder = this.holder;
    if (!holder) return;
    await this.secretsFor(announced);
    if (this.holder === holder) await holder.memberKey(announced);
  }

  /** A group key sealed to this console (it is a member). */
  async groupKey(offer: GroupKey): Promise<void> {
    if (!this.holder) await this.member.groupKey(offer);
  }

  /** The code to read with `participantId` (on the holder), or with the holder (on a member). */
  async codeFor(participantId: string): Promise<string | undefined> {
    if (this.holder) return this.holder.codeFor(participantId);
    return this.pendingHolderKey ? this.member.codeFor(this.pendingHolderKey) : undefined;
  }

  /** Both read the same code: the holder trusts that person's key; a member trusts the holder. */
  async confirmCode(participantId: string): Promise<void> {
    if (this.holder) return this.holder.confirmCode(participantId);
    const holderKey = this.pendingHolderKey;
    if (holderKey && participantId === this.holderId) await this.member.confirmHolder(holderKey);
  }

  /**
   * On the holder's console: the current key sealed to each of these waiting clients whose
   * key it trusts, to go with their admission (`admit`, `admitAll`).
   */
  async admissionKeys(participantIds: string[]): Promise<Record<string, SealedKey>> {
    const holder = this.holder;
    if (!holder) return {};
    const keys: Record<string, SealedKey> = {};
    for (const id of participantIds) {
      const key = await holder.offerFor(id);
      if (key) keys[id] = key;
    }
    return keys;
  }

  /**
   * On the holder's console: the facilitator lets `participantId`, whose browser cannot
   * encrypt, take part by audio in the clear, or no longer. Allowing, the server is told first
   * (so it routes the clear audio that follows), then the word goes out sealed with a new key;
   * ending, the sealed word goes first (everyone stops), then the server closes what is left.
   * False when this console is not the holder, or the person cannot be allowed (their browser
   * can encrypt, or their key is not trusted yet: the safety code is read first).
   */
  async allowClearAudio(participantId: string, allowed: boolean): Promise<boolean> {
    const holder = this.holder;
    if (!holder) return false;
    if (allowed) {
      // Their key must be trusted (link proof, or the safety code read) before anything is
      // allowed: otherwise the word could not reach them, and the server would route for nothing.
      const keyTrust = holder.keyTrustOf(participantId);
      if (holder.trustOf(participantId) !== 'cannot encrypt' || (keyTrust !== 'proved' && keyTrust !== 'code confirmed')) return false;
      await this.deps.signaling.request('allowClearAudio', { participantId, allowed: true });
      if (this.holder !== holder) return false;
      return holder.allowClearAudio(participantId, true);
    }
    const changed = await holder.allowClearAudio(participantId, false);
    await this.deps.signaling.request('allowClearAudio', { participantId, allowed: false });
    return changed;
  }

  /** Keys from `admissionKeys` whose admission did not happen: sent the usual way if they are let in later. */
  notAdmitted(keys: Record<string, SealedKey>): void {
    for (const [id, key] of Object.entries(keys)) this.holder?.notDelivered(id, key.epoch);
  }

  seal(from: string, to: string, text: string): SealedMessage | undefined {
    return this.keys.seal(from, to, text);
  }

  open(sealed: SealedMessage, from: string, to: string): string | undefined {
    return this.keys.open(sealed, from, to);
  }

  close(): void {
    this.closed = true;
    this.keyWait.settled();
    this.keys.forget();
    this.frames.close();
  }

  private async becomeHolder(): Promise<void> {
    this.keyWait.settled();
    const first = this.lastEpoch === undefined ? 0 : this.lastEpoch + 1;
    const holder = new KeyHolder(
      {
        send: async (to, key) => {
          await this.deps.signaling.request('sendGroupKey', { to, ...key });
        },
        linkSecretFor: (participantId, issuer) => {
          const secrets = this.linkSecrets;
          return secrets && issuer !== undefined && issuer === secrets.issuer ? secrets.secrets.get(participantId) : undefined;
        },
        onGroupKey: (epoch, key, clearAudio) => void this.keyed(epoch, key, clearAudio),
        onTrust: (participantId, trust) => this.show({ trust: { ...this.view.trust, [participantId]: trust } }),
      },
      first,
    );
    this.holder = holder;
    this.show({ role: 'holder', holder: null, trust: {} });
    try {
      const { keys } = await this.deps.signaling.request('memberKeys', {});
      for (const k of keys) if (k.participantId !== this.deps.selfId) this.announced.set(k.participantId, k);
    } catch {
      // Keys announced from now on still come as `memberKey`.
    }
    const arrived = performance.now();
    for (const k of this.announced.values()) {
      await this.secretsFor(k, arrived);
      if (this.holder === holder) await holder.memberKey(k);
    }
  }

  private stopHolding(): void {
    if (!this.holder) {
      this.show({ role: this.holderId ? 'member' : null });
      if (this.holderId && !this.view.keyed) this.keyWait.waiting();
      return;
    }
    // Another console holds the key now; it sends a new one to this console's member key.
    this.holder = null;
    this.show({ role: this.holderId ? 'member' : null, trust: {}, keyed: false, epoch: null });
    if (this.holderId) this.keyWait.waiting();
  }

  /**
   * The link secrets this console can make, read afresh for each announcement that names a
   * link (a link re-issued during the session has a new secret, and a new invitation one of its
   * own); announcements that arrive together share one read. A link another console made needs
   * none of them.
   */
  private async secretsFor(announced: MemberKey, arrived = performance.now()): Promise<void> {
    const known = this.linkSecrets;
    if (announced.issuer === undefined || (known && known.issuer !== announced.issuer)) return;
    // A read that began after this announcement came answers for it too.
    while (this.loadingSecrets && this.loadingSecrets.startedAt < arrived) await this.loadingSecrets.done;
    if (this.secretsReadAt >= arrived) return;
    if (!this.loadingSecrets) {
      const startedAt = performance.now();
      const read = this.deps.linkSecrets ?? ((sessionId: string) => call('invitations:linkSecrets', { sessionId }));
      const done = read(this.deps.sessionId)
        .then(({ issuer, secrets }) => {
          const map = new Map<string, Uint8Array>();
          for (const [id, s] of Object.entries(secrets)) {
            const bytes = fromBase64url(s, 32);
            if (bytes) map.set(id, bytes);
          }
          this.linkSecrets = { issuer, secrets: map };
          this.secretsReadAt = Math.max(this.secretsReadAt, startedAt);
        })
        .catch(() => undefined)
        .finally(() => {
          if (this.loadingSecrets?.done === done) this.loadingSecrets = null;
        });
      this.loadingSecrets = { startedAt, done };
    }
    await this.loadingSecrets.done;
  }

  private async keyed(epoch: number, key: Uint8Array, clearAudio: readonly string[]): Promise<void> {
    this.lastEpoch = epoch;
    if (!this.holder) this.keyWait.settled();
    // The word on who is in the clear goes with the key it came with: frames first, so nothing
    // plays or leaves in the clear that the newest word does not allow.
    this.frames.setClearAudio(clearAudio);
    const changed = clearAudio.join('\n') !== this.clearAudio.join('\n');
    this.clearAudio = [...clearAudio];
    if (changed && !this.closed) this.deps.onClearAudio?.(this.clearAudio);
    await this.keys.set(epoch, key);
    if (!this.closed) {
      this.show({
        keyed: true,
        epoch,
        clearAudio: [...clearAudio],
        ...(this.holder ? {} : { holder: { participantId: this.holderId, trust: this.view.holder?.trust ?? 'proved', code: null } }),
      });
    }
  }

  private async holderTrust(trust: HolderTrust, holderKey: string): Promise<void> {
    this.pendingHolderKey = trust === 'needs code' ? holderKey : null;
    // An offer came: what follows is for the people to do (read the code), not the holder.
    if (trust === 'needs code' || trust === 'proof failed') this.keyWait.settled();
    const code = trust === 'needs code' ? ((await this.member.codeFor(holderKey)) ?? null) : null;
    this.show({ holder: { participantId: this.holderId, trust, code } });
  }

  private show(change: Partial<EncryptionView>): void {
    this.view = { ...this.view, ...change };
    this.deps.onView(this.view);
  }
}
