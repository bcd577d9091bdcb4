/**
 * Progress notes: templates, the note document, its lifecycle and the sync contract. Pure
 * (zod only): the vault in main, the server and the renderer all speak these shapes.
 */
import { z } from 'zod';
import { CheckInRating, Id } from './protocol';

// ---------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------

export const TEMPLATE_IDS = ['dap', 'soap', 'birp', 'girp', 'group'] as const;
export const TemplateId = z.enum(TEMPLATE_IDS);
export type TemplateId = z.infer<typeof TemplateId>;

export interface TemplateSection {
  key: string;
  label: string;
  /** What belongs here, shown as the field's hint. */
  hint: string;
}

export interface NoteTemplate {
  id: TemplateId;
  name: string;
  sections: TemplateSection[];
  /** The group note adds a section per client who attended, pre-filled from attendance. */
  perClient: boolean;
}

export const NOTE_TEMPLATES: Record<TemplateId, NoteTemplate> = {
  dap: {
    id: 'dap',
    name: 'DAP',
    perClient: false,
    sections: [
      { key: 'data', label: 'Data', hint: 'What the client said and did; what you observed.' },
      { key: 'assessment', label: 'Assessment', hint: 'Your clinical interpretation of the data.' },
      { key: 'plan', label: 'Plan', hint: 'Next steps, homework, next session.' },
    ],
  },
  soap: {
    id: 'soap',
    name: 'SOAP',
    perClient: false,
    sections: [
      { key: 'subjective', label: 'Subjective', hint: "The client's report in their own words." },
      { key: 'objective', label: 'Objective', hint: 'Observable facts: affect, behaviour, measures.' },
      { key: 'assessment', label: 'Assessment', hint: 'Clinical impression and progress toward goals.' },
      { key: 'plan', label: 'Plan', hint: 'Interventions and next steps.' },
    ],
  },
  birp: {
    id: 'birp',
    name: 'BIRP',
    perClient: false,
    sections: [
      { key: 'behavior', label: 'Behavior', hint: 'Presenting behaviour and the client’s report.' },
      { key: 'intervention', label: 'Intervention', hint: 'What you did in session.' },
      { key: 'response', label: 'Response', hint: 'How the client responded to the intervention.' },
      { key: 'plan', label: 'Plan', hint: 'Next steps.' },
    ],
  },
  girp: {
    id: 'girp',
    name: 'GIRP',
    perClient: false,
    sections: [
      { key: 'goals', label: 'Goals', hint: 'Treatment-plan goals addressed today.' },
      { key: 'intervention', label: 'Intervention', hint: 'What you did in session.' },
      { key: 'response', label: 'Response', hint: 'How the client responded.' },
      { key: 'plan', label: 'Plan', hint: 'Next steps.' },
    ],
  },
  group: {
    id: 'group',
    name: 'Group note',
    perClient: true,
    sections: [
      { key: 'summary', label: 'Session summary', hint: 'Theme, interventions and group process.' },
      { key: 'plan', label: 'Plan', hint: 'Next group session; follow-ups.' },
    ],
  },
};

// ---------------------------------------------------------------------------------------
// The note document (what is sealed, and what syncs)
// ---------------------------------------------------------------------------------------

/** One client's section of a group note. */
export const ClientSection = z.object({
  participantRef: z.string().min(1).max(64),
  present: z.boolean(),
  minutesPresent: z.number().int().min(0).max(24 * 60).nullable(),
  text: z.string().max(20_000),
  /**
   * How the client said they were at check-in, from the roster when the note was started
   * (issue 20): offered beside their section, in the note only if the clinician adds it.
   * Absent from notes started before ratings existed.
   */
  checkInRating: CheckInRating.nullable().optional(),
});
export type ClientSection = z.infer<typeof ClientSection>;

/** Everything a clinician writes in a note: sealed as a whole in the vault. */
export const NoteBody = z.object({
  title: z.string().max(200),
  /** The clinic's client references this note is about (one for individual notes). */
  clientRefs: z.array(z.string().min(1).max(64)).max(50),
  /** Section key → text, keys from the note's template. */
  sections: z.record(z.string().max(40), z.string().max(50_000)),
  /** Group notes only. */
  clients: z.array(ClientSection).max(50),
});
export type NoteBody = z.infer<typeof NoteBody>;

export const NoteStatus = z.enum([
  /** Being written; editable. */
  'draft',
  /** Signed and locked; never edited again (addenda only). */
  'signed',
  /** Signed by a supervisee; waiting for their supervisor's co-signature. */
  'awaiting-cosign',
  /** Returned by the supervisor with a comment; the author revises and signs again. */
  'returned',
  /** Co-signed by the supervisor. */
  'cosigned',
]);
export type NoteStatus = z.infer<typeof NoteStatus>;

export const Signature = z.object({
  by: Id,
  byName: z.string(),
  at: z.string(),
  /** SHA-256 (hex) of the canonical JSON of the body that was signed. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Signature = z.infer<typeof Signature>;

export const Addendum = z.object({
  id: Id,
  text: z.string().min(1).max(20_000),
  signature: Signature,
});
export type Addendum = z.infer<typeof Addendum>;

/** A note as the console shows it (decrypted in main, never in the renderer's storage). */
export const Note = z.object({
  id: Id,
  /** Increases by one on every saved change; the sync key with `id`. */
  version: z.number().int().min(1),
  template: TemplateId,
  authorId: Id,
  sessionId: Id.nullable(),
  /** The date of service (ISO date, YYYY-MM-DD). */
  serviceDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  status: NoteStatus,
  body: NoteBody,
  signature: Signature.nullable(),
  cosignature: Signature.nullable(),
  /** The supervisor's comment when returned. */
  returnComment: z.string().max(5000).nullable(),
  addenda: z.array(Addendum),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Note = z.infer<typeof Note>;

/** A row of the notes list. */
export const NoteSummary = Note.pick({
  id: true,
  version: true,
  template: true,
  authorId: true,
  sessionId: true,
  serviceDate: true,
  status: true,
  updatedAt: true,
}).extend({
  title: z.string(),
  clientRefs: z.array(z.string()),
  /** Sync state of this note's latest version on this workstation. */
  sync: z.enum(['synced', 'pending', 'conflict']),
  /** The ciphertext failed to open (tampered or corrupted); its other notes are unaffected. */
  damaged: z.boolean(),
});
export type NoteSummary = z.infer<typeof NoteSummary>;

// ---------------------------------------------------------------------------------------
// Sync: PUT /api/notes/:id
// ---------------------------------------------------------------------------------------

/**
 * `PUT /api/notes/:id` with the whole note at one version. Idempotent by (id, version): the
 * same version sent again answers 200 with no change. The server refuses with 409 CONFLICT
 * when `baseVersion` is not the version it holds (someone else changed it: the console
 * surfaces a conflict, never overwrites), and whenever a signed version would change.
 * Only the note's author may put it, and their supervisor for a co-signature or a return.
 */
export const PutNoteRequest = z.object({
  note: Note,
  /** The version this one was edited from (0 for a new note). */
  baseVersion: z.number().int().min(0),
});
export type PutNoteRequest = z.infer<typeof PutNoteRequest>;

export const PutNoteResponse = z.object({ id: Id, version: z.number().int() });

/** `GET /api/notes?since=ISO`: the caller's notes and, for supervisors, their supervisees' notes awaiting co-signature. */
export const NoteList = z.array(Note);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** Keys sorted at every level, no whitespace: the form a content hash is taken over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An empty body for a template, with a section per attending client for group notes. */
export function emptyBody(
  template: TemplateId,
  clients: { participantRef: string; present: boolean; minutesPresent: number | null; checkInRating?: CheckInRating | null }[] = [],
): NoteBody {
  const t = NOTE_TEMPLATES[template];
  return {
    title: '',
    clientRefs: clients.map((c) => c.participantRef),
    sections: Object.fromEntries(t.sections.map((s) => [s.key, ''])),
    clients: t.perClient ? clients.map((c) => ({ ...c, text: '' })) : [],
  };
}
