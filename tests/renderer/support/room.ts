/** The console's live room as the renderer tests set it up: a person, and a facilitator's hello. */
import type { ClinicianHelloResult, Participant } from '../../../src/shared/protocol';

/** A client (unless `extra` says otherwise) in `state`, named after their id unless `extra` names them. */
export const person = (id: string, state: Participant['state'], extra: Partial<Participant> = {}): Participant => ({
  participantId: id,
  role: 'client',
  displayName: id.toUpperCase(),
  state,
  verified: false,
  media: { audio: true, video: true },
  mutedByFacilitator: { audio: false, video: false },
  knockedAt: '2026-11-23T10:00:00.000Z',
  ...extra,
});

/** A facilitator's hello ("me") to a live session, with `overrides`. */
export const helloWith = (overrides: Partial<ClinicianHelloResult> = {}): ClinicianHelloResult => ({
  role: 'facilitator',
  participantId: 'me',
  session: { id: 's', title: 'Group', state: 'live' },
  routerRtpCapabilities: {},
  waiting: [],
  participants: [person('me', 'admitted', { role: 'facilitator' })],
  producers: [],
  locked: false,
  ...overrides,
});
