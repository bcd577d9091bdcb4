import { useEffect, useRef, useState, type FormEvent } from 'react';
import { sendMessage } from '../services/room';
import { useConsole } from '../store';
import { t } from '../i18n';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** A private conversation with one client. Held in memory for this session only. */
export function MessagesPanel() {
  const withId = useConsole((s) => s.conversationWith);
  const person = useConsole((s) => (withId ? (s.participants[withId] ?? s.waiting[withId]) : undefined));
  const messages = useConsole((s) => (withId ? s.messages[withId] : undefined));
  const openConversation = useConsole((s) => s.openConversation);
  const [draft, setDraft] = useState('');
  const log = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => input.current?.focus(), [withId]);
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [messages?.length]);

  if (!withId) return null;
  const name = person?.displayName ?? t.messages.thisClient;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim() === '') return;
    if (await sendMessage(withId, draft)) setDraft('');
  };

  return (
    <section className="panel messages" aria-labelledby="messages-title">
      <div className="panel-head">
        <h2 id="messages-title">{t.messages.title(name)}</h2>
        <button
          type="button"
          className="button quiet small"
          onClick={() => openConversation(null)}
          aria-label={t.messages.closeLabel}
        >
          {t.messages.close}
        </button>
      </div>
      <p className="muted small">{t.messages.privacy(name)}</p>
      <ol ref={log} className="message-log" aria-live="polite" aria-label={t.messages.log(name)}>
        {(messages ?? []).map((m, i) => (
          <li key={i} className={`message ${m.from}`}>
            <span className="visually-hidden">{m.from === 'me' ? t.messages.you : name}: </span>
            {m.text}
            <time className="message-time">{time.format(m.at)}</time>
          </li>
        ))}
        {!person && <li className="muted small">{t.messages.gone(name)}</li>}
      </ol>
      <form className="message-form" onSubmit={(e) => void submit(e)}>
        <label className="visually-hidden" htmlFor="message-draft">
          {t.messages.draftLabel(name)}
        </label>
        <textarea
          id="message-draft"
          ref={input}
          rows={2}
          maxLength={2000}
          value={draft}
          disabled={!person}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <button type="submit" className="button primary small" disabled={!person || draft.trim() === ''}>
          {t.messages.send}
        </button>
      </form>
    </section>
  );
}
