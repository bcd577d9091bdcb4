/**
 * The facilitator's side of end-to-end encryption for tests that drive the facilitator over
 * the WebSocket protocol rather than through the console: the real KeyHolder (src/client/e2ee),
 * running in the test process, keying whoever is in the group. The links it vouches for carry
 * a secret the test makes from the session and the client's reference, as a console makes one
 * from its keychain key: `linkWithSecret` gives the page the link, and the holder makes the same
 * secret again when that client's key is announced.
 */
import { createHash } from 'node:crypto';
import { GroupKeys } from '../../src/client/e2ee/groupKeys';
import { KeyHolder, type MemberTrust } from '../../src/client/e2ee/keyHolder';
import {
  TO_FACILITATOR,
  type DemoInfo,
  type MemberKey,
  type NotificationName,
  type NotificationTypes,
  type Participant,
  type RequestData,
  type SealedKey,
  type SealedMessage,
} from '../../src/shared/protocol';

/** Which "console" made the test's link secrets (any 8 bytes, base64url). */
export const TEST_ISSUER = 'dGVzdGxpbms';

function secretFor(sessionId: string, participantRef: string): Buffer {
  return createHash('sha256').update(`test link secret\n${sessionId}\n${participantRef}`).digest();
}

/** The invitation's link with the test's secret in its fragment, as a console issues it. */
export function linkWithSecret(info: DemoInfo, invitation: { url: string; participantRef: string }): string {
  return `${invitation.url}#k=${secretFor(info.sessionId, invitation.participantRef).toString('base64url')}.${TEST_ISSUER}`;
}

/**
 * What the holder needs of the facilitator's connection: a SignalingClient has it, and so
 * can any other test client (tests/server/support/wsClient.ts, through a small adapter).
 */
export interface KeySignaling {
  request(method: 'sendGroupKey', data: RequestData<'sendGroupKey'>): Promise<unknown>;
  on<N extends NotificationName>(name: N, handler: (data: NotificationTypes[N]) => void): unknown;
}

export class TestKeyHolder {
  readonly trust = new Map<string, MemberTrust>();
  /** The group keys this facilitator made: its messages are sealed, and clients' opened, with them. */
  readonly groupKeys = new GroupKeys();
  private readonly refs = new Map<string, string>();
  private readonly announced = new Map<string, MemberKey>();
  private readonly inGroup = new Map<string, Participant>();
  private holder: KeyHolder | null = null;
  private selfId = '';

  constructor(private readonly info: DemoInfo) {}

  /** Subscribes to `signaling` (before its hello, so nothing is missed). */
  listen(signaling: KeySignaling): void {
    this.holder = new KeyHolder({
      send: async (to, key) => {
        await signaling.request('sendGroupKey', { to, ...key });
      },
      linkSecretFor: (participantId, issuer) => {
        const ref = this.refs.get(participantId);
        return ref && issuer === TEST_ISSUER ? new Uint8Array(secretFor(this.info.sessionId, ref)) : undefined;
      },
      onGroupKey: (epoch, key) => void this.groupKeys.set(epoch, key),
      onTrust: (participantId, trust) => this.trust.set(participantId, trust),
    });
    signaling.on('memberKey', (k) => {
      this.announced.set(k.participantId, k);
      void this.holder?.memberKey(k);
    });
    signaling.on('knock', ({ participant }) => this.seen(participant));
    signaling.on('participantUpdated', ({ participant }) => this.seen(participant));
    signaling.on('peerJoined', ({ participant }) => this.seen(participant));
    signaling.on('peerLeft', ({ participantId }) => this.gone(participantId));
    signaling.on('participantLeft', ({ participantId }) => this.gone(participantId));
  }

  /**
   * What `admit` sends for this waiting client, as the console sends it: with the group key
   * sealed to them when their key is trusted already (services/room.ts `admit`).
   */
  async admission(participantId: string): Promise<{ participantId: string; groupKey?: SealedKey }> {
    const groupKey = await this.holder?.offerFor(participantId);
    return { participantId, ...(groupKey ? { groupKey } : {}) };
  }

  /** A private message to an admitted client, sealed as the console seals it. */
  sealTo(participantId: string, text: string): SealedMessage {
    const sealed = this.groupKeys.seal(TO_FACILITATOR, participantId, text);
    if (!sealed) throw new Error('no group key yet');
    return sealed;
  }

  /** A client's message as the facilitator reads it: opened if sealed (undefined if it does not open). */
  textOf(message: NotificationTypes['message']): { from: string; text: string | undefined } {
    return { from: message.from, text: 'sealed' in message ? this.groupKeys.open(message.sealed, message.from, TO_FACILITATOR) : message.text };
  }

  /** The facilitator's hello answered: who is already in the group. */
  joined(selfId: string, participants: Participant[]): void {
    this.selfId = selfId;
    for (const p of participants) this.seen(p);
  }

  private seen(p: Participant): void {
    if (p.participantRef && !this.refs.has(p.participantId)) {
      this.refs.set(p.participantId, p.participantRef);
      // Announced before their reference was known here: checked again with the secret.
      const k = this.announced.get(p.participantId);
      if (k) void this.holder?.memberKey(k);
    }
    if (p.participantId === this.selfId) return;
    if (p.state === 'admitted' && p.connection !== 'reconnecting') this.inGroup.set(p.participantId, p);
    else this.inGroup.delete(p.participantId);
    void this.holder?.groupIs(this.inGroup.keys());
  }

  private gone(participantId: string): void {
    if (!this.inGroup.delete(participantId)) return;
    void this.holder?.groupIs(this.inGroup.keys());
  }
}
