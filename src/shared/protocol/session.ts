/**
 * Joining and leaving a session: `hello` (a client's invitation and passcode, a clinician's
 * ticket, or a client's resume token), `checkIn` and `leave`, each as one record (request,
 * result, who may call it), and what their answers carry. A new method about being in a
 * session, rather than about media, messages or moderation, goes here.
 */
import { z } from 'zod';
import { Done, NoData, type MethodRecord } from './method';
import {
  Agreement,
  DisplayName,
  Id,
  Language,
  MediaFlags,
  Participant,
  ParticipantState,
  PrivacyCheck,
  CheckInRating,
  Producer,
  RtpCapabilities,
  SessionState,
} from './values';

export const HelloParticipant = z.object({
  as: z.literal('participant'),
  invite: z.string().min(1).max(256),
  passcode: z.string().min(1).max(128),
  /**
   * The language the page is shown in (issue 23): the hello's `agreement` is in it. Absent:
   * English, as before.
   */
  language: Language.optional(),
});
/**
 * A clinician's hello presents a session ticket (`POST /api/sessions/:id/ticket`): good once,
 * for this session, for a minute. Never the bearer token, which stays in the console's main
 * process; the renderer that opens the socket holds only the ticket.
 */
export const HelloClinician = z.object({
  as: z.literal('clinician'),
  ticket: z.string().min(1).max(256),
  sessionId: Id,
});
/**
 * A client coming back after its socket dropped (an addition to PROTOCOL.md): the resume
 * token its last hello answered with, good once and only within the grace period (60 s by
 * default) after the drop. It returns the client to where it was: admitted stays admitted,
 * waiting stays waiting, and nobody hears a new knock.
 */
export const HelloResume = z.object({
  as: z.literal('resume'),
  resumeToken: z.string().min(1).max(256),
});
export const HelloData = z.discriminatedUnion('as', [HelloParticipant, HelloClinician, HelloResume]);

export const ParticipantHelloResult = z.object({
  participantId: z.string(),
  session: z.object({ id: z.string(), title: z.string() }),
  agreement: Agreement,
  /**
   * The agreement in every language offered (issue 23; absent from older servers), so a page
   * whose client switches language at check-in can show, and accept, that language's text.
   */
  agreements: z.array(Agreement).max(8).optional(),
  /** `check-in` after an invitation hello; where the client was, after a resume. */
  state: ParticipantState,
  /**
   * Presented in a `resume` hello after a dropped socket (an addition to PROTOCOL.md). Each
   * hello answers with a new one; the page keeps it in memory only.
   */
  resumeToken: z.string(),
  /** True when this hello resumed an earlier connection. */
  resumed: z.boolean().optional(),
  /** After a resume: `admitted` follows at once (the client was in the group and is let back in). */
  readmitting: z.boolean().optional(),
  /**
   * The base URLs of the servers sharing this deployment (this one among them): where the
   * page asks again when the server it was on is gone. Absent from a lone server.
   */
  servers: z.array(z.url({ protocol: /^https?$/ })).max(64).optional(),
});
export type ParticipantHelloResult = z.infer<typeof ParticipantHelloResult>;

export const ClinicianHelloResult = z.object({
  role: z.enum(['facilitator', 'observer']),
  participantId: z.string(),
  session: z.object({ id: z.string(), title: z.string(), state: SessionState }),
  routerRtpCapabilities: RtpCapabilities,
  waiting: z.array(Participant),
  /** Every admitted peer, the caller included. */
  participants: z.array(Participant),
  producers: z.array(Producer),
  locked: z.boolean(),
  /** Whether the group chat is on (issue 20; absent from older servers: on). */
  groupChat: z.boolean().optional(),
});
export type ClinicianHelloResult = z.infer<typeof ClinicianHelloResult>;

/** A hello's answer follows what it presented: a clinician's ticket, or a client's invitation or resume token. */
export type HelloResultFor<D extends { as: string }> = D extends { as: 'clinician' } ? ClinicianHelloResult : ParticipantHelloResult;

export const CheckInData = z.object({
  displayName: DisplayName,
  agreementVersion: z.string().min(1).max(64),
  /**
   * Which language's agreement `agreementVersion` is of, the one the client read and accepted
   * (issue 23). Absent: English, as before. A version that is not that language's current one
   * is refused (CONFLICT).
   */
  agreementLanguage: Language.optional(),
  media: MediaFlags,
  location: z.string().max(500).optional(),
  emergencyContact: z.string().max(500).optional(),
  /** The privacy check (values.ts): shown to the session's clinicians beside the knock. */
  privacy: PrivacyCheck.optional(),
  /** How they are today (values.ts): for the session's clinicians only, sealed on record. */
  rating: CheckInRating.optional(),
  /**
   * Taking part by text only (issue 20): no camera and no microphone in this visit (`media`
   * must say both off), the group chat instead. Everyone in the group sees it; the server
   * refuses this client's media until they check in again without it.
   */
  textOnly: z.boolean().optional(),
}).refine((d) => d.textOnly !== true || (!d.media.audio && !d.media.video), {
  message: 'taking part by text only means camera and microphone off',
  path: ['textOnly'],
});

/**
 * A client reading the written recap of a session that has ended (issue 20), with the same
 * invitation link and passcode as a hello: answered before hello, on a socket that has not said
 * one, and counted as a hello attempt. `recap` is null when none was written, or it is no
 * longer shown (its days are over).
 */
export const ReadRecapData = HelloParticipant.omit({ as: true });
export const ReadRecapResult = z.object({
  sessionTitle: z.string(),
  recap: z.object({ text: z.string(), writtenAt: z.string() }).nullable(),
});
export type ReadRecapResult = z.infer<typeof ReadRecapResult>;

export const sessionMethods = {
  // Answered before authorization, and never allowed twice: nobody may call it after hello.
  hello: {
    request: HelloData,
    result: z.union([ParticipantHelloResult, ClinicianHelloResult]),
    mayCall: {},
  },
  // Like hello, answered before authorization, and never after hello.
  readRecap: {
    request: ReadRecapData,
    result: ReadRecapResult,
    mayCall: {},
  },
  checkIn: {
    request: CheckInData,
    /**
     * `routerRtpCapabilities` (an addition to PROTOCOL.md) lets the page prepare its media
     * engine while it waits, so admission is not held up by it. It names no one and carries
     * no media: only the codecs the session's router speaks.
     */
    result: z.object({ state: z.literal('waiting'), routerRtpCapabilities: RtpCapabilities }),
    mayCall: { client: ['check-in'] },
  },
  leave: {
    request: NoData,
    result: Done,
    mayCall: { client: ['check-in', 'waiting', 'admitted'], facilitator: true, observer: true },
  },
} satisfies Record<string, MethodRecord>;
