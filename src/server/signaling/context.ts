/** What signaling handlers need from the rest of the server. */
import type { AuthService } from '../auth/authService.js';
import type { Agreements } from '../sessions/agreement.js';
import type { SessionTickets } from '../auth/sessionTickets.js';
import type { AddressedRequest } from '../http/support.js';
import type { LiveClinicians } from '../accounts/liveClinicians.js';
import type { AttemptLimiter } from '../limits/attemptLimiter.js';
import type { Fleet } from '../fleet/fleet.js';
import type { HashingGate } from '../limits/hashingGate.js';
import type { OneAtATime } from '../limits/oneAtATime.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import type { SessionLifecycle } from '../sessions/lifecycle.js';
import type { Store } from '../store/store.js';
import type { UnheardResumes } from './unheardResumes.js';

export interface SignalingContext {
  store: Store;
  auth: AuthService;
  rooms: RoomRegistry;
  /** The group agreement in every language offered (sessions/agreement.ts). */
  agreements: Agreements;
  /** When the waiting room opens, when a session is live or over. */
  lifecycle: SessionLifecycle;
  /** Clinicians' open sockets, closed when their sign-in ends. */
  live: LiveClinicians;
  /** The tickets clinician hellos present (issued by the HTTP API). */
  tickets: SessionTickets;
  /** Passcode attempts per invitation, across sockets (reserved before the check; a right one is given back). */
  passcodeAttempts: AttemptLimiter;
  /** Participant hello attempts per remote address, across sockets: wrong passcodes, unknown links and resume tokens. */
  helloAttemptsByAddress: AttemptLimiter;
  /** Invitations with a passcode check in flight: one at a time each. */
  checkingInvitations: OneAtATime;
  /** Resumes answered on connections not heard from since, whose spent token may stand in once. */
  unheardResumes: UnheardResumes;
  /** Where passcode checks wait their turn, shared with sign-ins. */
  hashing: HashingGate;
  /** The deployment's servers, told to participant pages as where to ask again after a loss. */
  fleet: Pick<Fleet, 'urls'>;
  /** The client address of a WebSocket upgrade (its peer, or what a trusted proxy forwarded). */
  clientAddress: (req: AddressedRequest) => string;
}
