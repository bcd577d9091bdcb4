/**
 * The group's text channel (issue 20): what a client who cannot speak or show their room takes
 * part through, and what everyone in the group reads. Like private messages it is relayed and
 * never kept: no message is stored, logged or held for someone who arrives later, and every
 * message is sealed under the group key by its sender (messaging.ts in the protocol), so the
 * server passes on boxes it cannot open. The facilitators turn the channel off and on, and
 * clear it (every screen drops what it shows); both acts are audited by the signaling handler.
 */
import { ProtocolError, type SealedMessage } from '../../shared/protocol.js';
import { createLogger } from '../../common/logger.js';
import * as audience from './audiences.js';
import type { Members } from './members.js';
import type { Peer } from './peer.js';

const log = createLogger('rooms');

export class GroupChat {
  private on: boolean;

  constructor(
    private readonly sessionId: string,
    private readonly members: Members,
    /** On unless a facilitator turned it off on record (migration 15): a restart keeps it off. */
    enabled = true,
  ) {
    this.on = enabled;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Passes the box to everyone in the group but its sender, under the sender's id. */
  post(from: Peer, sealed: SealedMessage): void {
    // The authorization table lets admitted clients and facilitators call it; this is the room's word.
    if (!from.isAdmitted || from.role === 'observer') throw new ProtocolError('FORBIDDEN', 'only people in the group write to it');
    if (!this.on) throw new ProtocolError('FORBIDDEN', 'the facilitator has turned the group chat off');
    // Only what the schema allows goes on, whatever else the request carried.
    const box: SealedMessage = { epoch: sealed.epoch, nonce: sealed.nonce, box: sealed.box };
    this.members.notifyWhere(audience.admittedBut(from), 'groupMessage', () => ({ from: from.participantId, sealed: box }));
  }

  /**
   * Turns the channel on or off; returns whether it changed. `record` runs between the checks
   * (the audit entry and the state on record, together): a facilitator who left meanwhile
   * changes nothing.
   */
  async setEnabled(by: Peer, enabled: boolean, record: () => Promise<void>): Promise<boolean> {
    this.members.assertModerator(by);
    if (this.on === enabled) return false;
    await record();
    this.members.assertModerator(by);
    if (this.on === enabled) return false;
    this.on = enabled;
    log.info(enabled ? 'group_chat.on' : 'group_chat.off', { sessionId: this.sessionId, by: by.participantId });
    this.members.notifyWhere(audience.admitted, 'groupChat', () => ({ enabled }));
    return true;
  }

  /** Everyone in the group drops what the channel shows; nothing here held it. */
  async clear(by: Peer, record: () => Promise<void>): Promise<void> {
    this.members.assertModerator(by);
    await record();
    this.members.assertModerator(by);
    log.info('group_chat.cleared', { sessionId: this.sessionId, by: by.participantId });
    this.members.notifyWhere(audience.admitted, 'groupChatCleared', () => ({}));
  }
}
