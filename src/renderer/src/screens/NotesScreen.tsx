import { useEffect, useState } from 'react';
import { NOTE_TEMPLATES, TEMPLATE_IDS, type NoteSummary, type TemplateId } from '../../../shared/notes';
import { messageOf } from '../bridge';
import { ErrorBanner } from '../components/Banner';
import { Dialog } from '../components/Dialog';
import { NoteEditor } from '../components/NoteEditor';
import { createNote, refreshNotes } from '../services/notes';
import { useConsole } from '../store';

const statusLabel: Record<NoteSummary['status'], string> = {
  draft: 'Draft',
  signed: 'Signed',
  'awaiting-cosign': 'Awaiting co-signature',
  returned: 'Returned',
  cosigned: 'Co-signed',
};

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
        <h1 id="vault-title">Notes are locked</h1>
        <p>{vault.state === 'locked' ? vault.message : 'Sign in to open your notes.'}</p>
        <p className="muted small">Your notes stay encrypted on this computer; nothing is lost while they are locked.</p>
      </section>
    );
  }

  return (
    <div className="notes">
      <aside className="notes-side" aria-label="Notes">
        <div className="section-head">
          <h1>Notes</h1>
          <button type="button" className="button primary small" onClick={() => setCreating(true)}>
            New note
          </button>
        </div>
        <label className="field">
          <span className="visually-hidden">Search notes</span>
          <input
            type="search"
            placeholder="Search notes"
            value={filter.query}
            onChange={(e) => setFilter({ query: e.target.value })}
          />
        </label>
        <div className="field-row">
          <label className="field">
            Client
            <input value={filter.clientRef} onChange={(e) => setFilter({ clientRef: e.target.value })} placeholder="IOP-1042" />
          </label>
          <label className="field">
            From
            <input type="date" value={filter.from} onChange={(e) => setFilter({ from: e.target.value })} />
          </label>
          <label className="field">
            To
            <input type="date" value={filter.to} onChange={(e) => setFilter({ to: e.target.value })} />
          </label>
        </div>
        {roles.includes('supervisor') && (
          <label className="check">
            <input type="checkbox" checked={filter.awaitingMe} onChange={(e) => setFilter({ awaitingMe: e.target.checked })} />
            Waiting for my co-signature
          </label>
        )}
        <ErrorBanner message={error} />
        <ul className="note-list">
          {notes.length === 0 && <li className="muted small">No notes match.</li>}
          {notes.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                className={`note-row${openId === n.id ? ' current' : ''}`}
                aria-current={openId === n.id ? 'true' : undefined}
                onClick={() => openNote(n.id)}
                data-testid={`note-${n.id}`}
              >
                <span className="note-title">{n.damaged ? 'Damaged note' : n.title || 'Untitled note'}</span>
                <span className="muted small">
                  {n.serviceDate} · {NOTE_TEMPLATES[n.template].name}
                  {n.clientRefs.length > 0 && ` · ${n.clientRefs.join(', ')}`}
                </span>
                <span className="note-badges">
                  <span className={`pill note-${n.status}`}>{statusLabel[n.status]}</span>
                  {n.sync !== 'synced' && (
                    <span className={`pill sync-${n.sync}`}>{n.sync === 'pending' ? 'Not synced yet' : 'Sync conflict'}</span>
                  )}
                  {n.damaged && <span className="pill inv-revoked">Damaged</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="notes-main">
        {openId ? <NoteEditor key={openId} id={openId} /> : <p className="empty">Choose a note, or start a new one.</p>}
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
      title="New progress note"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={() => void create()}>
            Start writing
          </button>
        </>
      }
    >
      <div className="form">
        <label className="field">
          Template
          <select value={template} onChange={(e) => setTemplate(e.target.value as TemplateId)}>
            {TEMPLATE_IDS.map((t) => (
              <option key={t} value={t}>
                {NOTE_TEMPLATES[t].name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Date of service
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label className="field">
          Session <span className="muted">(optional; a group note lists its clients)</span>
          <select value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            <option value="">No session</option>
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
