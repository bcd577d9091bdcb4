/** What signaling handlers need from the rest of the server. */
import type { Agreement } from '../../shared/protocol.js';
import type { AuthService } from '../auth/authService.js';
import type { SessionTickets } from '../auth/sessionTickets.js';
import type { LiveClinicians } from '../liveClinicians.js';
import type { RtcListenOptions } from '../media/peerMedia.js';
import type { SlidingWindowLimiter } from '../rateLimiter.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import type { SessionLifecycle } from '../sessionLifecycle.js';
import type { Store } from '../store/store.js';

export interface SignalingContext {
  store: Store;
  auth: AuthService;
  rooms: RoomRegistry;
  agreement: Agreement;
  rtc: RtcListenOptions;
  /** When the waiting room opens, when a session is live or over. */
  lifecycle: SessionLifecycle;
  /** Clinicians' open sockets, closed when their sign-in ends. */
  live: LiveClinicians;
  /** The tickets clinician hellos present (issued by the HTTP API). */
  tickets: SessionTickets;
  /** Wrong passcodes per invitation, across sockets. */
  passcodeFailures: SlidingWindowLimiter;
  /** Unrecognised participant hellos (unknown link or wrong passcode) per remote address, across sockets. */
  helloFailuresByAddress: SlidingWindowLimiter;
}
