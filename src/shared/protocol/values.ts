/**
 * The protocol's domain values: ids, roles, states, media, names, a person and a producer as
 * the wire shows them, and the outline of mediasoup's WebRTC parameters. A value that more
 * than one method, notification or HTTP shape carries goes here; one used by a single method
 * stays beside it in its area module.
 */
import { z } from 'zod';

export const Id = z.string().min(1).max(128);

export const ClinicianRole = z.enum(['facilitator', 'supervisor', 'admin']);
export type ClinicianRole = z.infer<typeof ClinicianRole>;

export const PeerRole = z.enum(['client', 'facilitator', 'observer']);
export type PeerRole = z.infer<typeof PeerRole>;

export const ParticipantState = z.enum(['check-in', 'waiting', 'admitted']);
/** How good a person's connection to the call is, as their own browser measures it (issue 22). */
export const ConnectionQuality = z.enum(['good', 'weak', 'poor']);
export type ConnectionQuality = z.infer<typeof ConnectionQuality>;
export type ParticipantState = z.infer<typeof ParticipantState>;

export const SessionState = z.enum(['scheduled', 'open', 'live', 'ended']);
export type SessionState = z.infer<typeof SessionState>;

/**
 * The languages the participant page and the group agreement are offered in (issue 23). A
 * client that says none is taken to read English, as every client did before.
 */
export const LANGUAGES = ['en', 'es'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

export const MediaFlags = z.object({ audio: z.boolean(), video: z.boolean() });
export type MediaFlags = z.infer<typeof MediaFlags>;

export const VerificationMethod = z.enum(['photo-id', 'verbal-code', 'known-to-clinician']);
export type VerificationMethod = z.infer<typeof VerificationMethod>;

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A first name or pseudonym: 1–40 characters once trimmed, no control characters. */
export const DisplayName = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'a name is needed')
      .max(40, 'at most 40 characters')
      .refine((s) => !CONTROL_CHARS.test(s), 'no control characters'),
  );

/**
 * A client's privacy check at check-in (issue 20): what they ticked of getting ready in
 * private. Never required, and only ever sent to clinicians, beside the knock.
 */
export const PrivacyCheck = z
  .object({
    privateSpace: z.boolean(),
    headphones: z.boolean(),
    notificationsOff: z.boolean(),
    nobodyInView: z.boolean(),
  })
  .strict();
export type PrivacyCheck = z.infer<typeof PrivacyCheck>;

/**
 * A client's private check-in rating (issue 20): how they are today, 0 (very bad) to 10 (very
 * good), and a word for it if they like. Optional; only ever sent to clinicians, sealed at rest.
 */
export const CheckInRating = z
  .object({
    score: z.number().int().min(0).max(10),
    word: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .refine((s) => !CONTROL_CHARS.test(s), 'no control characters')
      .optional(),
  })
  .strict();
export type CheckInRating = z.infer<typeof CheckInRating>;

export const Participant = z.object({
  participantId: Id,
  role: PeerRole,
  displayName: z.string(),
  state: ParticipantState,
  verified: z.boolean(),
  media: MediaFlags,
  mutedByFacilitator: MediaFlags,
  knockedAt: z.string().nullable(),
  /** The clinic's client reference; only ever sent to clinicians. */
  participantRef: z.string().optional(),
  /** The clinic's note on how to recognise this client; only ever sent to clinicians. */
  verificationHint: z.string().nullable().optional(),
  /** How the client's identity was verified; only ever sent to clinicians. */
  verificationMethod: VerificationMethod.nullable().optional(),
  /**
   * Only ever sent to clinicians (an addition): `reconnecting` while a client whose socket
   * dropped is within its grace period; they stay listed, in their place, until they are
   * back or the grace period ends (then `participantLeft`).
   */
  connection: z.enum(['connected', 'reconnecting']).optional(),
  /** What the client ticked of the privacy check at check-in; only ever sent to clinicians. */
  privacy: PrivacyCheck.optional(),
  /** How the client said they are today, at check-in; only ever sent to clinicians. */
  rating: CheckInRating.optional(),
  /**
   * How good their connection to the call is (issue 22), as their browser last reported it;
   * only ever sent to clinicians, and absent until reported.
   */
  connectionQuality: ConnectionQuality.optional(),
  /** Taking part by text only (CheckInData.textOnly): seen by everyone in the group. */
  textOnly: z.boolean().optional(),
  /**
   * The language the client reads the page and accepted the agreement in (issue 23), from
   * their check-in; only ever sent to clinicians, and absent before a check-in.
   */
  language: Language.optional(),
});
export type Participant = z.infer<typeof Participant>;

export const Producer = z.object({
  producerId: Id,
  participantId: Id,
  kind: MediaKind,
  paused: z.boolean(),
  /** Audio sent without end-to-end encryption (`produce`'s `clear`): played as it comes, never opened. */
  clear: z.literal(true).optional(),
});
export type Producer = z.infer<typeof Producer>;

/**
 * The group agreement in one language. `language` (an addition, issue 23) is absent from
 * older servers, whose only agreement is English.
 */
export const Agreement = z.object({ version: z.string(), text: z.string(), language: Language.optional() });
export type Agreement = z.infer<typeof Agreement>;

// WebRTC parameters are produced and consumed by mediasoup on both ends; the server checks
// their outline here and mediasoup checks the rest (its errors become BAD_REQUEST).
export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.looseObject({ algorithm: z.string().max(32), value: z.string().max(256) }))
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const RtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(z.looseObject({ mimeType: z.string(), payloadType: z.number().int() })).min(1).max(16),
  headerExtensions: z.array(z.looseObject({ uri: z.string(), id: z.number().int() })).max(32).optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({}).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const RtpCapabilities = z.looseObject({
  codecs: z.array(z.looseObject({ mimeType: z.string(), kind: MediaKind })).max(64).optional(),
  headerExtensions: z.array(z.looseObject({ uri: z.string() })).max(64).optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;
