import { useEffect, useRef, useState, type FormEvent } from 'react';
import { clearGroupChat, sendGroupMessage, setGroupChat } from '../services/room';
import { useConsole } from '../store';
import { t } from '../i18n';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/**
 * The group chat (issue 20): what everyone in the group writes for everyone, clients taking
 * part by text among them. Sealed end to end and never saved; a facilitator turns it off and
 * on and clears it for everyone. Folded to its heading until opened, with what came meanwhile
 * counted.
 */
export function GroupChatPanel({ canModerate }: { canModerate: boolean }) {
  const chat = useConsole((s) => s.groupChat);
  const openGroupChat = useConsole((s) => s.openGroupChat);
  const isObserver = useConsole((s) => s.myRole === 'observer');
  const [draft, setDraft] = useState('');
  const log = useRef<HTMLOListElement>(null);

  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [chat.messages.length, chat.open]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (draft.trim() === '') return;
    if (await sendGroupMessage(draft)) setDraft('');
  };

  return (
    <section className="panel group-chat" aria-labelledby="group-chat-title" data-testid="group-chat">
      <div className="panel-head">
        <h2 id="group-chat-title">
          {t.groupChat.title}
          {!chat.enabled && <span className="badge off">{t.groupChat.off}</span>}
          {!chat.open && chat.unread > 0 && (
            <span className="count" data-testid="group-chat-unread" aria-label={t.groupChat.unread(chat.unread)}>
              {chat.unread}
            </span>
          )}
        </h2>
        <button
          type="button"
          className="button quiet small"
          aria-expanded={chat.open}
          aria-controls="group-chat-body"
          onClick={() => openGroupChat(!chat.open)}
        >
          {chat.open ? t.groupChat.hide : t.groupChat.show}
        </button>
      </div>
      {chat.open && (
        <div id="group-chat-body">
          <p className="muted small">{t.groupChat.privacy}</p>
          {canModerate && (
            <div className="group-chat-actions">
              <button type="button" className="button quiet small" aria-pressed={!chat.enabled} onClick={() => void setGroupChat(!chat.enabled)}>
                {chat.enabled ? t.groupChat.turnOff : t.groupChat.turnOn}
              </button>
              <button type="button" className="button quiet small" disabled={chat.messages.length === 0} onClick={() => void clearGroupChat()}>
                {t.groupChat.clear}
              </button>
            </div>
          )}
          {/* The log around the list: a role on the list itself would take its list role away. */}
          <div role="log" aria-live="polite" aria-label={t.groupChat.log}>
            <ol ref={log} className="message-log">
              {chat.messages.map((m) => (
                <li key={m.id} className={`message ${m.from === 'me' ? 'me' : 'them'}`} data-from={m.from}>
                  <span className={m.from === 'me' ? 'visually-hidden' : 'message-who'}>{m.name}: </span>
                  {m.text}
                  <time className="message-time">{time.format(m.at)}</time>
                </li>
              ))}
              {chat.messages.length === 0 && <li className="muted small">{t.groupChat.nothingYet}</li>}
            </ol>
          </div>
          {isObserver ? (
            <p className="muted small">{t.groupChat.observer}</p>
          ) : chat.enabled ? (
            <form className="message-form" onSubmit={(e) => void submit(e)}>
              <label className="visually-hidden" htmlFor="group-chat-draft">
                {t.groupChat.draftLabel}
              </label>
              <textarea
                id="group-chat-draft"
                rows={2}
                maxLength={2000}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }
                }}
              />
              <button type="submit" className="button primary small" disabled={draft.trim() === ''}>
                {t.groupChat.send}
              </button>
            </form>
          ) : (
            <p className="muted small" data-testid="group-chat-off">
              {t.groupChat.isOff}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
