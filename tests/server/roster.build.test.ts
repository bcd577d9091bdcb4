/** The roster's rules over a crafted attendance record: intervals, reconnects, removals, no-shows. */
import { describe, expect, it } from 'vitest';
import { buildRoster, type RosterInput } from '../../src/server/rosters/roster.js';
import type { AttendanceEvent } from '../../src/server/store/attendance.js';
import type { Invitation } from '../../src/server/store/invitations.js';

const T0 = Date.UTC(2026, 10, 24, 17, 0, 0); // Tuesday 17:00 UTC
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

function invitation(ref: string, participantId: string): Invitation {
  return {
    id: `inv-${ref}`,
    sessionId: 's',
    participantRef: ref,
    participantId,
    passcodeHash: 'x',
    verificationHint: null,
    revokedAt: null,
    expiredAt: null,
    createdAt: at(-60),
    issuedAt: at(-60),
  } as Invitation;
}

const ev = (participantId: string, kind: AttendanceEvent['kind'], minute: number, byId: string | null = null, displayName: string | null = null): AttendanceEvent => ({
  sessionId: 's',
  participantId,
  kind,
  at: at(minute),
  byId,
  displayName,
});

function input(events: AttendanceEvent[], over: Partial<RosterInput> = {}): RosterInput {
  return {
    invitations: [invitation('C-1', 'p1'), invitation('C-2', 'p2'), invitation('C-3', 'p3'), invitation('C-4', 'p4')],
    events,
    verifications: [],
    removals: [],
    clinicianName: (id) => ({ fac: 'Dr. Demo', co: 'Dr. Co' })[id] ?? id,
    live: false,
    now: new Date(at(200)),
    endedAt: at(90),
    ...over,
  };
}

describe('buildRoster', () => {
  it('sums admitted-and-connected intervals across a drop and a reconnect, and counts the reconnect', () => {
    const [p1] = buildRoster(
      input([
        ev('p1', 'knock', 0, null, 'Alex'),
        ev('p1', 'admit', 2, 'fac'),
        ev('p1', 'drop', 32),
        ev('p1', 'knock', 40, null, 'Alex'),
        ev('p1', 'reconnect', 40),
        ev('p1', 'end', 90, 'fac'),
      ]),
    );
    expect(p1).toMatchObject({
      participantRef: 'C-1',
      displayName: 'Alex',
      knockedAt: at(0),
      admittedAt: at(2),
      admittedBy: 'Dr. Demo',
      admittedById: 'fac',
      leftAt: at(90),
      minutesPresent: 80,
      reconnects: 1,
      status: 'left',
    });
  });

  it('does not count the waiting room, nor time after a return to the waiting room, as present', () => {
    const [p1] = buildRoster(
      input([
        ev('p1', 'knock', 0, null, 'Alex'),
        ev('p1', 'admit', 10, 'fac'),
        ev('p1', 'return-to-waiting', 20, 'co'),
        ev('p1', 'admit', 30, 'co'),
        ev('p1', 'leave', 45),
      ]),
    );
    // First admission is the one on record; the second only reopens the interval.
    expect(p1).toMatchObject({ admittedBy: 'Dr. Demo', minutesPresent: 25, returnsToWaiting: 1, status: 'left', leftAt: at(45) });
  });

  it('reports removal with who and why, denial, and the invited who never came, in knock order then by reference', () => {
    const roster = buildRoster(
      input(
        [
          ev('p3', 'knock', 1, null, 'Sky'),
          ev('p2', 'knock', 2, null, 'Bo'),
          ev('p2', 'admit', 3, 'fac'),
          ev('p2', 'remove', 13, 'fac'),
          ev('p3', 'deny', 5, 'fac'),
        ],
        {
          removals: [{ sessionId: 's', participantId: 'p2', removedBy: 'fac', reason: 'asked to leave after a warning', removedAt: at(13) }],
          verifications: [{ sessionId: 's', participantId: 'p2', method: 'photo-id', verifiedBy: 'co', verifiedAt: at(4) }],
        },
      ),
    );
    expect(roster.map((e) => [e.participantRef, e.status])).toEqual([
      ['C-3', 'denied'],
      ['C-2', 'removed'],
      ['C-1', 'absent'],
      ['C-4', 'absent'],
    ]);
    expect(roster[1]).toMatchObject({
      removedBy: 'Dr. Demo',
      removalReason: 'asked to leave after a warning',
      removedAt: at(13),
      verifiedBy: 'Dr. Co',
      verificationMethod: 'photo-id',
      verifiedAt: at(4),
      minutesPresent: 10,
    });
    expect(roster[0]).toMatchObject({ deniedAt: at(5), admittedAt: null, minutesPresent: 0 });
    expect(roster[2]).toMatchObject({ knockedAt: null, displayName: null, minutesPresent: 0, reconnects: 0 });
  });

  it('runs an open interval to now while the room is live, and never past what the record shows once it is not', () => {
    const events = [ev('p1', 'knock', 0, null, 'Alex'), ev('p1', 'admit', 5, 'fac'), ev('p2', 'knock', 20, null, 'Bo')];
    const live = buildRoster(input(events, { live: true, now: new Date(at(35)), endedAt: null }));
    expect(live[0]).toMatchObject({ minutesPresent: 30, status: 'present', leftAt: null });
    expect(live[1]).toMatchObject({ status: 'waiting' });
    // The server stopped under the session: only up to the last thing on record.
    const stopped = buildRoster(input(events, { live: false, now: new Date(at(300)), endedAt: null }));
    expect(stopped[0]!.minutesPresent).toBe(15);
  });

  it('ignores events of a participant without an invitation in this session', () => {
    const roster = buildRoster(input([ev('stranger', 'knock', 0, null, 'X')]));
    expect(roster.map((e) => e.participantId)).toEqual(['p1', 'p2', 'p3', 'p4']);
  });
});
