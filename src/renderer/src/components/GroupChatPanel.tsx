import { useEffect, useRef, useState, type FormEvent } from 'react';
import { clearGroupChat, sendGroupMessage, setGroupChat } from '../services/room';
import { useConsole } from '../store';

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
          Group chat
          {!chat.enabled && <span className="badge off">Off</span>}
          {!chat.open && chat.unread > 0 && (
            <span className="count" data-testid="group-chat-unread" aria-label={`${chat.unread} unread`}>
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
          {chat.open ? 'Hide' : 'Show'}
        </button>
      </div>
      {chat.open && (
        <div id="group-chat-body">
          <p className="muted small">Everyone in the group sees these. They are not saved anywhere, and people who join later do not see them.</p>
          {canModerate && (
            <div className="group-chat-actions">
              <button type="button" className="button quiet small" aria-pressed={!chat.enabled} onClick={() => void setGroupChat(!chat.enabled)}>
                {chat.enabled ? 'Turn off for everyone' : 'Turn on for everyone'}
              </button>
              <button type="button" className="button quiet small" disabled={chat.messages.length === 0} onClick={() => void clearGroupChat()}>
                Clear for everyone
              </button>
            </div>
          )}
          {/* The log around the list: a role on the list itself would take its list role away. */}
          <div role="log" aria-live="polite" aria-label="Group chat messages">
            <ol ref={log} className="message-log">
              {chat.messages.map((m) => (
                <li key={m.id} className={`message ${m.from === 'me' ? 'me' : 'them'}`} data-from={m.from}>
                  <span className={m.from === 'me' ? 'visually-hidden' : 'message-who'}>{m.name}: </span>
                  {m.text}
                  <time className="message-time">{time.format(m.at)}</time>
                </li>
              ))}
              {chat.messages.length === 0 && <li className="muted small">Nothing written yet.</li>}
            </ol>
          </div>
          {isObserver ? (
            <p className="muted small">As an observer you read the group chat; you do not write in it.</p>
          ) : chat.enabled ? (
            <form className="message-form" onSubmit={(e) => void submit(e)}>
              <label className="visually-hidden" htmlFor="group-chat-draft">
                Message to the group
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
                Send
              </button>
            </form>
          ) : (
            <p className="muted small" data-testid="group-chat-off">
              The group chat is off: nobody can write in it until a facilitator turns it on.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
