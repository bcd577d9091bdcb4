import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { MESSAGE_MAX, type ChatMessage, type MessageCheck } from '../moderation';
import { CloseIcon } from './icons';

/** How close to the limit before the page shows how many characters are left. */
const COUNTER_FROM = MESSAGE_MAX - 200;

/**
 * The private conversation with the therapist: a side panel on wide screens, a sheet on
 * phones. Messages live in memory only and are gone when the person leaves or reloads.
 */
export function ChatPanel({ onClose }: { onClose: () => void }) {
  const service = useService();
  const messages = useParticipantStore((s) => s.moderation.messages);
  const log = useRef<HTMLDivElement>(null);
  const ids = { title: useId(), privacy: useId() };
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  return (
    <aside
      className="chat"
      aria-labelledby={ids.title}
      aria-describedby={ids.privacy}
      data-testid="chat-panel"
      onKeyDown={(e) => closeOnEscape(e, onClose)}
    >
      <header className="chat__header">
        <h2 id={ids.title} className="chat__title">
          Message your therapist privately
        </h2>
        <button type="button" className="icon-button" aria-label="Close messages" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      <p id={ids.privacy} className="chat__privacy">
        Only your therapist sees these messages. Messages aren’t saved.
      </p>

      {messages.length === 0 ? (
        <p className="chat__empty">
          If there’s something you’d rather not say to the whole group, you can write it here.
        </p>
      ) : null}
      {/* The log around the list, not on it: its items stay a list's items for a screen reader. */}
      <div ref={log} className="chat__log" role="log" aria-live="polite" aria-label="Conversation with your therapist">
        {messages.length > 0 ? (
          <ol className="chat__list">
            {messages.map((m) => (
              <Message key={m.id} message={m} />
            ))}
          </ol>
        ) : null}
      </div>

      <Composer send={(text) => service.sendMessage(text)} />
    </aside>
  );
}

/** Escape closes a side panel, and goes no further. */
export function closeOnEscape(e: KeyboardEvent, onClose: () => void): void {
  if (e.key === 'Escape') {
    e.stopPropagation();
    onClose();
  }
}

/**
 * Where a message is written and sent: the private conversation's and the group chat's. Enter
 * sends, Shift+Enter starts a new line; the limit is counted down near its end; a refusal is
 * said under the box, and the draft stays.
 */
export function Composer({ send, disabled }: { send: (text: string) => Promise<MessageCheck>; disabled?: string }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const ids = { input: useId(), hint: useId(), error: useId(), counter: useId() };

  useEffect(() => {
    input.current?.focus();
  }, []);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (sending) return;
    setSending(true);
    const result = await send(draft);
    setSending(false);
    if (result.ok) {
      setDraft('');
      setError(null);
    } else {
      setError(result.error);
    }
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line (and an IME composition is never cut short).
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  const left = MESSAGE_MAX - draft.length;
  const describedBy = [ids.hint, left <= MESSAGE_MAX - COUNTER_FROM ? ids.counter : null, error ? ids.error : null]
    .filter(Boolean)
    .join(' ');

  if (disabled) {
    return (
      <p className="chat__off" role="status" data-testid="chat-off">
        {disabled}
      </p>
    );
  }
  return (
    <form className="chat__composer" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={ids.input} className="chat__label">
        Your message
      </label>
      <textarea
        id={ids.input}
        ref={input}
        className="input chat__input"
        rows={3}
        maxLength={MESSAGE_MAX}
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value);
          if (error) setError(null);
        }}
        onKeyDown={onKeyDown}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
      />
      <div className="chat__row">
        <p id={ids.hint} className="chat__hint">
          Enter to send · Shift+Enter for a new line
        </p>
        {draft.length >= COUNTER_FROM ? (
          <p id={ids.counter} className="chat__counter">
            {left} {left === 1 ? 'character' : 'characters'} left
          </p>
        ) : null}
        <button type="submit" className="button button--primary chat__send" disabled={sending}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
      {error ? (
        <p id={ids.error} className="chat__error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function Message({ message }: { message: ChatMessage }) {
  const mine = message.from === 'me';
  const time = new Date(message.at);
  return (
    <li className={mine ? 'msg msg--me' : 'msg msg--them'}>
      <span className="msg__who">{mine ? 'You' : 'Your therapist'}</span>
      <span className="visually-hidden">: </span>
      <span className="msg__text">{message.text}</span>
      <time className="msg__time" dateTime={time.toISOString()}>
        {time.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })}
      </time>
    </li>
  );
}
