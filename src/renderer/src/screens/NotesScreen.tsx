import { useEffect, useState } from 'react';
import { NOTE_TEMPLATES, TEMPLATE_IDS, type NoteSummary, type TemplateId } from '../../../shared/notes';
import { messageOf } from '../bridge';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { NoteEditor } from '../components/NoteEditor';
import { createNote, refreshNotes } from '../services/notes';
import { useConsole } from '../store';
import { t as words } from '../i18n';

const statusLabel: Record<NoteSummary['status'], string> = words.notes.statuses;

const today = () => new Date().toLocaleDateString('en-CA');

export function NotesScreen() {
  const notes = useConsole((s) => s.notes);
  const filter = useConsole((s) => s.notesFilter);
  const setFilter = useConsole((s) => s.setNotesFilter);
  const openId = useConsole((s) => s.openNoteId);
  const openNote = useConsole((s) => s.openNote);
  const vault = useConsole((s) => s.notesStatus?.vault);
  const roles = useConsole((s) => s.account?.user.roles ?? []);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  // Refresh on a new filter (debounced for typing) and whenever sync has moved on.
  const syncMark = useConsole((s) => {
    const sync = s.notesStatus?.sync;
    return sync ? `${sync.pending}/${sync.conflicts}/${sync.lastSyncedAt ?? ''}` : '';
  });
  useEffect(() => {
    if (vault?.state !== 'unlocked') return;
    const t = setTimeout(() => refreshNotes().catch((err: unknown) => setError(messageOf(err))), 150);
    return () => clearTimeout(t);
  }, [filter, vault?.state, syncMark]);

  if (vault && vault.state !== 'unlocked') {
    return (
      <section className="card narrow" aria-labelledby="vault-title">
        <h1 id="vault-title">{words.notes.lockedTitle}</h1>
        <p>
          {vault.state !== 'locked'
            ? words.notes.signInToOpen
            : words.errors.byReason[vault.reason === 'no-keychain' ? 'notes-no-keychain' : 'notes-no-key']}
        </p>
        <p className="muted small">{words.notes.lockedSafe}</p>
      </section>
    );
  }

  return (
    <div className="notes">
      <aside className="notes-side" aria-label={words.notes.title}>
        <div className="section-head">
          <h1>{words.notes.title}</h1>
          <button type="button" className="button primary small" onClick={() => setCreating(true)}>
            {words.notes.newNote}
          </button>
        </div>
        <label className="field">
          <span className="visually-hidden">{words.notes.search}</span>
          <input
            type="search"
            placeholder={words.notes.search}
            value={filter.query}
            onChange={(e) => setFilter({ query: e.target.value })}
          />
        </label>
        <div className="field-row">
          <label className="field">
            {words.notes.client}
            <input value={filter.clientRef} onChange={(e) => setFilter({ clientRef: e.target.value })} placeholder={words.notes.clientPlaceholder} />
          </label>
          <label className="field">
            {words.notes.from}
            <input type="date" value={filter.from} onChange={(e) => setFilter({ from: e.target.value })} />
          </label>
          <label className="field">
            {words.notes.to}
            <input type="date" value={filter.to} onChange={(e) => setFilter({ to: e.target.value })} />
          </label>
        </div>
        {roles.includes('supervisor') && (
          <label className="check">
            <input type="checkbox" checked={filter.awaitingMe} onChange={(e) => setFilter({ awaitingMe: e.target.checked })} />
            {words.notes.awaitingMe}
          </label>
        )}
        <ErrorBanner message={error} />
        <ul className="note-list">
          {notes.length === 0 && <li className="muted small">{words.notes.noMatch}</li>}
          {notes.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                className={`note-row${openId === n.id ? ' current' : ''}`}
                aria-current={openId === n.id ? 'true' : undefined}
                onClick={() => openNote(n.id)}
                data-testid={`note-${n.id}`}
              >
                <span className="note-title">{n.damaged ? words.notes.damagedNote : n.title || words.notes.untitled}</span>
                <span className="muted small">
                  {n.serviceDate} · {NOTE_TEMPLATES[n.template].name}
                  {n.clientRefs.length > 0 && ` · ${n.clientRefs.join(', ')}`}
                </span>
                <span className="note-badges">
                  <span className={`pill note-${n.status}`}>{statusLabel[n.status]}</span>
                  {n.sync !== 'synced' && (
                    <span className={`pill sync-${n.sync}`}>{n.sync === 'pending' ? words.notes.notSynced : words.notes.conflict}</span>
                  )}
                  {n.damaged && <span className="pill inv-revoked">{words.notes.damaged}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="notes-main">
        {openId ? <NoteEditor key={openId} id={openId} /> : <p className="empty">{words.notes.choose}</p>}
      </section>
      {creating && <NewNoteDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewNoteDialog({ onClose }: { onClose: () => void }) {
  const sessions = useConsole((s) => s.sessions);
  const [template, setTemplate] = useState<TemplateId>('group');
  const [date, setDate] = useState(today());
  const [sessionId, setSessionId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      await createNote(template, date, sessionId || null);
      onClose();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Dialog
      title={words.notes.newTitle}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {words.notes.cancel}
          </button>
          <button type="button" className="button primary" onClick={() => void create()}>
            {words.notes.start}
          </button>
        </>
      }
    >
      <div className="form">
        <label className="field">
          {words.notes.template}
          <select value={template} onChange={(e) => setTemplate(e.target.value as TemplateId)}>
            {TEMPLATE_IDS.map((t) => (
              <option key={t} value={t}>
                {NOTE_TEMPLATES[t].name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {words.notes.serviceDate}
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label className="field">
          {words.notes.session} <span className="muted">{words.notes.sessionOptional}</span>
          <select value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            <option value="">{words.notes.noSession}</option>
            {sessions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} · {new Date(s.startsAt).toLocaleDateString()}
              </option>
            ))}
          </select>
        </label>
        <ErrorBanner message={error} />
      </div>
    </Dialog>
  );
}
