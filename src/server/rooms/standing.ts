/**
 * What a live room remembers about one client across reconnects, until the room closes.
 * A dropped connection must not undo moderation: a muted client who reconnects is still
 * muted, a verified one still verified, and crisis information stays reachable to the
 * facilitator even after the client's laptop has gone dark. Kept in memory only.
 */
import type { CheckInRating, Language, MediaFlags, PrivacyCheck, VerificationMethod } from '../../shared/protocol.js';

/** Said at check-in; kept in memory only, never in a Participant, a log or the store. */
export interface CrisisInfo {
  location?: string;
  emergencyContact?: string;
}

export interface Verification {
  method: VerificationMethod;
  /** The verifying clinician's account id. */
  by: string;
}

export interface Standing {
  /** Admitted at some point in this live room: lets the client past a lock. */
  admittedBefore: boolean;
  /**
   * A reconnecting client is admitted again at check-in, without knocking. Cleared when
   * the facilitator sends them back to the waiting room: that decision must survive a drop.
   */
  readmitOnCheckIn: boolean;
  mutedByFacilitator: MediaFlags;
  verification: Verification | null;
  crisis: CrisisInfo;
  /** The privacy check ticked at check-in (for the clinicians), the latest one said. */
  privacy: PrivacyCheck | null;
  /** How they said they are at check-in (for the clinicians), the latest one said. */
  rating: CheckInRating | null;
  /** Taking part by text only (issue 20), as said at the latest check-in: no media is taken. */
  textOnly: boolean;
  /** The language of the agreement accepted at the latest check-in (issue 23), for the clinicians. */
  language: Language | null;
}

export function freshStanding(): Standing {
  return {
    admittedBefore: false,
    readmitOnCheckIn: false,
    mutedByFacilitator: { audio: false, video: false },
    verification: null,
    crisis: {},
    privacy: null,
    rating: null,
    textOnly: false,
    language: null,
  };
}
