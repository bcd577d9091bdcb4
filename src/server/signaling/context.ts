/** What signaling handlers need from the rest of the server. */
import type { Agreement } from '../../shared/protocol.js';
import type { AuthService } from '../auth/authService.js';
import type { RtcListenOptions } from '../media/peerMedia.js';
import type { SlidingWindowLimiter } from '../rateLimiter.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import type { Store } from '../store/store.js';

export interface SignalingContext {
  store: Store;
  auth: AuthService;
  rooms: RoomRegistry;
  agreement: Agreement;
  rtc: RtcListenOptions;
  /** Clients may connect this many minutes before a session starts. */
  waitingRoomOpensMinutes: number;
  /** Wrong passcodes per invitation, across sockets. */
  passcodeFailures: SlidingWindowLimiter;
}
