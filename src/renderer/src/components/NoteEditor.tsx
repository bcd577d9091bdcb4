import { useCallback, useEffect, useRef, useState } from 'react';
import { NOTE_TEMPLATES, type Note, type NoteBody, type Signature } from '../../../shared/notes';
import { messageOf } from '../bridge';
import {
  addAddendum,
  cosignNote,
  getNote,
  refreshNotes,
  resolveConflict,
  returnNote,
  saveNote,
  signNote,
} from '../services/notes';
import { useConsole } from '../store';
import { ErrorBanner } from './Banner';
import { Dialog } from './Dialog';
import { ratingText } from './CheckInRating';
import { t as words } from '../i18n';

/** How often a changed draft is saved while the clinician keeps typing. */
const AUTOSAVE_MS = 3000;
const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function signatureLine(label: string, s: Signature): string {
  return words.note.signature(label, s.byName, stamp.format(new Date(s.at)));
}

/** The sentence a client's check-in rating adds to their section of a group note. */
function ratingSentence(rating: { score: number; word?: string | undefined }): string {
  return words.note.ratingSentence(rating.score, rating.word ?? null);
}

/** One note: a draft's editor with autosave, or a signed note with its addenda. */
export function NoteEditor({ id }: { id: string }) {
  const me = useConsole((s) => s.account?.user);
  const [note, setNote] = useState<Note | null>(null);
  const [conflict, setConflict] = useState<Note | null>(null);
  const [body, setBody] = useState<NoteBody | null>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'sign' | 'return' | null>(null);
  const dirty = useRef(false);
  const saving = useRef<Promise<void> | null>(null);
  const latest = useRef<{ note: Note | null; body: NoteBody | null }>({ note: null, body: null });
  latest.current = { note, body };

  const load = useCallback(async () => {
    try {
      const { note: n, conflict: c } = await getNote(id);
      setNote(n);
      setBody(n.body);
      setConflict(c);
      dirty.current = false;
    } catch (err) {
      setError(messageOf(err));
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  /** Saves the draft if it changed; never two saves at once, never a lost keystroke. */
  const flush = useCallback(async () => {
    if (saving.current) await saving.current;
    const { note: n, body: b } = latest.current;
    if (!dirty.current || !n || !b || n.status !== 'draft' && n.status !== 'returned') return;
    dirty.current = false;
    saving.current = (async () => {
      try {
        const saved = await saveNote(n.id, b, n.version);
        // The next save builds on this version even if no render comes between (the editor
        // unmounted by a lock saves its last keystrokes after this one: with the version
        // before it, that save was refused as a conflict and the keystrokes were lost).
        latest.current = { ...latest.current, note: saved };
        setNote(saved);
        setSavedAt(new Date());
        void refreshNotes().catch(() => undefined);
      } catch (err) {
        dirty.current = true;
        setError(messageOf(err));
      } finally {
        saving.current = null;
      }
    })();
    await saving.current;
  }, []);

  useEffect(() => {
    const t = setInterval(() => void flush(), AUTOSAVE_MS);
    return () => {
      clearInterval(t);
      void flush();
    };
  }, [flush]);

  if (error && !note) return <ErrorBanner message={error} />;
  if (!note || !body) return <p className="muted">{words.note.opening}</p>;

  const template = NOTE_TEMPLATES[note.template];
  const editable = (note.status === 'draft' || note.status === 'returned') && note.authorId === me?.id;
  const canCosign = note.status === 'awaiting-cosign' && note.authorId !== me?.id && me?.roles.includes('supervisor');
  const edit = (change: Partial<NoteBody>) => {
    dirty.current = true;
    setBody({ ...body, ...change });
  };
  const run = async (work: () => Promise<Note>) => {
    setError(null);
    try {
      await flush();
      const n = await work();
      setNote(n);
      setBody(n.body);
      setConflict(null);
      await refreshNotes();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <article className="note" aria-labelledby="note-title" onBlur={() => void flush()}>
      <div className="section-head">
        <div>
          <h2 id="note-title">{body.title || words.note.untitled}</h2>
          <p className="muted small">
            {template.name} · {note.serviceDate}
            {editable && (savedAt ? words.note.saved(stamp.format(savedAt)) : words.note.draft)}
          </p>
        </div>
        <div className="controls">
          {editable && (
            <button type="button" className="button primary" onClick={() => setDialog('sign')}>
              {words.note.sign}
            </button>
          )}
          {canCosign && (
            <>
              <button type="button" className="button quiet" onClick={() => setDialog('return')}>
                {words.note.returnWithComment}
              </button>
              <button type="button" className="button primary" onClick={() => void run(() => cosignNote(note.id))}>
                {words.note.cosign}
              </button>
            </>
          )}
        </div>
      </div>
      <ErrorBanner message={error} />
      {conflict && (
        <div className="banner warn" role="alert">
          <p>{words.note.conflict(conflict.version)}</p>
          <div className="controls">
            <button type="button" className="button quiet small" onClick={() => void run(() => resolveConflict(note.id, 'mine'))}>
              {words.note.keepMine}
            </button>
            <button type="button" className="button quiet small" onClick={() => void run(() => resolveConflict(note.id, 'theirs'))}>
              {words.note.keepTheirs}
            </button>
          </div>
        </div>
      )}
      {note.status === 'returned' && note.returnComment && (
        <p className="banner info" role="status">
          {words.note.returnedBy(note.returnComment)}
        </p>
      )}
      <label className="field">
        {words.note.title}
        <input value={body.title} readOnly={!editable} onChange={(e) => edit({ title: e.target.value })} maxLength={200} />
      </label>
      {!template.perClient && (
        <label className="field">
          {words.note.clientReference}
          <input
            value={body.clientRefs.join(', ')}
            readOnly={!editable}
            onChange={(e) => edit({ clientRefs: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })}
            placeholder={words.note.clientPlaceholder}
          />
        </label>
      )}
      {template.sections.map((section) => (
        <div key={section.key} className="field">
          <label htmlFor={`section-${section.key}`}>{section.label}</label>
          <span className="muted small" id={`hint-${section.key}`}>
            {section.hint}
          </span>
          <textarea
            id={`section-${section.key}`}
            aria-describedby={`hint-${section.key}`}
            rows={5}
            value={body.sections[section.key] ?? ''}
            readOnly={!editable}
            onChange={(e) => edit({ sections: { ...body.sections, [section.key]: e.target.value } })}
          />
        </div>
      ))}
      {template.perClient && (
        <fieldset className="field clients">
          <legend>{words.note.clients}</legend>
          {body.clients.length === 0 && <p className="muted small">{words.note.noClients}</p>}
          {body.clients.map((c, i) => {
            const set = (change: Partial<typeof c>) =>
              edit({ clients: body.clients.map((x, j) => (j === i ? { ...x, ...change } : x)) });
            return (
              <div key={c.participantRef} className="client-section">
                <div className="field-row">
                  <strong>{c.participantRef}</strong>
                  <label className="check">
                    <input type="checkbox" checked={c.present} disabled={!editable} onChange={(e) => set({ present: e.target.checked })} />
                    {words.note.present}
                  </label>
                  <label className="field inline">
                    {words.note.minutes}
                    <input
                      type="number"
                      min={0}
                      value={c.minutesPresent ?? ''}
                      readOnly={!editable}
                      onChange={(e) => set({ minutesPresent: e.target.value === '' ? null : Number(e.target.value) })}
                    />
                  </label>
                </div>
                {c.checkInRating && (
                  <div className="field-row rating-offer" data-testid={`note-rating-${c.participantRef}`}>
                    <span className="muted small">{words.note.saidAtCheckIn(ratingText(c.checkInRating))}</span>
                    {editable && !c.text.includes(ratingSentence(c.checkInRating)) && (
                      <button
                        type="button"
                        className="button quiet small"
                        onClick={() => set({ text: c.text.trim() ? `${c.text.trimEnd()}\n${ratingSentence(c.checkInRating!)}` : ratingSentence(c.checkInRating!) })}
                      >
                        {words.note.addToNote}
                      </button>
                    )}
                  </div>
                )}
                <textarea
                  rows={3}
                  aria-label={words.note.noteFor(c.participantRef)}
                  value={c.text}
                  readOnly={!editable}
                  onChange={(e) => set({ text: e.target.value })}
                />
              </div>
            );
          })}
        </fieldset>
      )}
      {note.signature && <p className="signature">{signatureLine(words.note.signed, note.signature)}</p>}
      {note.cosignature && <p className="signature">{signatureLine(words.note.cosigned, note.cosignature)}</p>}
      {note.signature && <Addenda note={note} onAdded={(n) => setNote(n)} />}
      {dialog === 'sign' && (
        <SignDialog
          onClose={() => setDialog(null)}
          onSign={(needsCosign) => void run(() => signNote(note.id, needsCosign)).then(() => setDialog(null))}
        />
      )}
      {dialog === 'return' && (
        <ReturnDialog
          onClose={() => setDialog(null)}
          onReturn={(comment) => void run(() => returnNote(note.id, comment)).then(() => setDialog(null))}
        />
      )}
    </article>
  );
}

function Addenda({ note, onAdded }: { note: Note; onAdded: (n: Note) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async () => {
    try {
      onAdded(await addAddendum(note.id, text));
      setText('');
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <section className="addenda" aria-labelledby="addenda-title">
      <h3 id="addenda-title">{words.note.addenda}</h3>
      {note.addenda.length === 0 && <p className="muted small">{words.note.noAddenda}</p>}
      <ol>
        {note.addenda.map((a) => (
          <li key={a.id}>
            <p>{a.text}</p>
            <p className="signature">{signatureLine(words.note.signed, a.signature)}</p>
          </li>
        ))}
      </ol>
      <label className="field">
        {words.note.newAddendum}
        <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <ErrorBanner message={error} />
      <button type="button" className="button quiet" disabled={text.trim() === ''} onClick={() => void add()}>
        {words.note.addAddendum}
      </button>
    </section>
  );
}

function SignDialog({ onClose, onSign }: { onClose: () => void; onSign: (needsCosign: boolean) => void }) {
  const [cosign, setCosign] = useState(false);
  return (
    <Dialog
      title={words.note.signTitle}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {words.note.keepEditing}
          </button>
          <button type="button" className="button primary" onClick={() => onSign(cosign)}>
            {words.note.signNote}
          </button>
        </>
      }
    >
      <p>{words.note.signExplain}</p>
      <label className="check">
        <input type="checkbox" checked={cosign} onChange={(e) => setCosign(e.target.checked)} />
        {words.note.askCosign}
      </label>
    </Dialog>
  );
}

function ReturnDialog({ onClose, onReturn }: { onClose: () => void; onReturn: (comment: string) => void }) {
  const [comment, setComment] = useState('');
  return (
    <Dialog
      title={words.note.returnTitle}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {words.note.cancel}
          </button>
          <button type="button" className="button primary" disabled={comment.trim() === ''} onClick={() => onReturn(comment)}>
            {words.note.returnNote}
          </button>
        </>
      }
    >
      <label className="field">
        {words.note.whatChange}
        <textarea rows={4} value={comment} onChange={(e) => setComment(e.target.value)} autoFocus />
      </label>
    </Dialog>
  );
}
