import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import { localeFor, useWords } from '../i18n';
import type { GroupChatMessage } from '../groupChatState';
import { MESSAGE_MAX, type ChatMessage, type MessageCheck } from '../moderation';
import { CloseIcon } from './icons';

/** How close to the limit before the page shows how many characters are left. */
const COUNTER_FROM = MESSAGE_MAX - 200;

/** What a conversation panel needs to say and show, around its own messages and composer. */
interface ConversationProps {
  testId: string;
  title: string;
  closeLabel: string;
  /** Who sees what is written here, said under the title (and as the panel's description). */
  privacy: string;
  /** Shown while nothing has been written. */
  empty: string;
  logLabel: string;
  /** How many messages there are: the log scrolls to the newest as it grows. */
  count: number;
  onClose: () => void;
  /** The messages, as list items. */
  children: ReactNode;
  composer: ReactNode;
}

/**
 * A conversation beside the call, the private one with the therapist and the group chat alike:
 * a side panel on wide screens, a sheet on phones; Escape closes it. Messages live in memory
 * only and are gone when the person leaves or reloads.
 */
function ConversationPanel({ testId, title, closeLabel, privacy, empty, logLabel, count, onClose, children, composer }: ConversationProps) {
  const log = useRef<HTMLDivElement>(null);
  const ids = { title: useId(), privacy: useId() };
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);
  return (
    <aside className="chat" aria-labelledby={ids.title} aria-describedby={ids.privacy} data-testid={testId} onKeyDown={(e) => closeOnEscape(e, onClose)}>
      <header className="chat__header">
        <h2 id={ids.title} className="chat__title">
          {title}
        </h2>
        <button type="button" className="icon-button" aria-label={closeLabel} onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      <p id={ids.privacy} className="chat__privacy">
        {privacy}
      </p>
      {count === 0 ? <p className="chat__empty">{empty}</p> : null}
      {/* The log around the list, not on it: its items stay a list's items for a screen reader. */}
      <div ref={log} className="chat__log" role="log" aria-live="polite" aria-label={logLabel}>
        {count > 0 ? <ol className="chat__list">{children}</ol> : null}
      </div>
      {composer}
    </aside>
  );
}

/** The private conversation with the therapist. */
export function ChatPanel({ onClose }: { onClose: () => void }) {
  const service = useService();
  const messages = useParticipantStore((s) => s.moderation.messages);
  const t = useWords();
  return (
    <ConversationPanel
      testId="chat-panel"
      title={t.chat.privateTitle}
      closeLabel={t.chat.privateClose}
      privacy={t.chat.privatePrivacy}
      empty={t.chat.privateEmpty}
      logLabel={t.chat.privateLog}
      count={messages.length}
      onClose={onClose}
      composer={<Composer send={(text) => service.sendMessage(text)} />}
    >
      {messages.map((m) => (
        <Message key={m.id} message={m} />
      ))}
    </ConversationPanel>
  );
}

/**
 * The group chat (issue 20): what everyone in the group writes for everyone. Sealed end to end;
 * nothing is saved, and someone let in later sees nothing from before. How someone taking part
 * by text only takes part.
 */
export function GroupChatPanel({ onClose }: { onClose: () => void }) {
  const service = useService();
  const messages = useParticipantStore((s) => s.groupChat.messages);
  const enabled = useParticipantStore((s) => s.groupChat.enabled);
  const t = useWords();
  return (
    <ConversationPanel
      testId="group-chat-panel"
      title={t.chat.groupTitle}
      closeLabel={t.chat.groupClose}
      privacy={t.chat.groupPrivacy}
      empty={t.chat.groupEmpty}
      logLabel={t.chat.groupLog}
      count={messages.length}
      onClose={onClose}
      composer={
        <Composer
          send={(text) => service.sendGroupMessage(text)}
          {...(enabled ? {} : { disabled: t.chat.groupOff })}
        />
      }
    >
      {messages.map((m) => (
        <GroupMessage key={m.id} message={m} />
      ))}
    </ConversationPanel>
  );
}

/** Escape closes a side panel, and goes no further. */
function closeOnEscape(e: KeyboardEvent, onClose: () => void): void {
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
function Composer({ send, disabled }: { send: (text: string) => Promise<MessageCheck>; disabled?: string }) {
  const t = useWords();
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
        {t.chat.yourMessage}
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
          {t.chat.sendHint}
        </p>
        {draft.length >= COUNTER_FROM ? (
          <p id={ids.counter} className="chat__counter">
            {t.chat.charactersLeft(left)}
          </p>
        ) : null}
        <button type="submit" className="button button--primary chat__send" disabled={sending}>
          {sending ? t.chat.sending : t.chat.send}
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

/** A private message: from the person, or from their therapist. */
export function Message({ message }: { message: ChatMessage }) {
  const mine = message.from === 'me';
  const t = useWords();
  return <MessageItem who={mine ? t.chat.you : t.chat.yourTherapist} mine={mine} text={message.text} at={message.at} />;
}

/** A message to the group, under its writer's name; the therapist's marked so. */
function GroupMessage({ message }: { message: GroupChatMessage }) {
  const t = useWords();
  return (
    <MessageItem who={message.from === 'me' ? t.chat.you : message.name} mine={message.from === 'me'} text={message.text} at={message.at} from={message.from}>
      {message.byFacilitator ? <span className="badge">{t.chat.therapistBadge}</span> : null}
    </MessageItem>
  );
}

interface MessageItemProps {
  who: string;
  mine: boolean;
  text: string;
  at: number;
  from?: string;
  /** Beside the writer's name (a badge). */
  children?: ReactNode;
}

function MessageItem({ who, mine, text, at, from, children }: MessageItemProps) {
  const time = new Date(at);
  const language = useParticipantStore((s) => s.language);
  return (
    <li className={mine ? 'msg msg--me' : 'msg msg--them'} data-from={from}>
      <span className="msg__who">
        {who}
        {children}
      </span>
      <span className="visually-hidden">: </span>
      <span className="msg__text">{text}</span>
      <time className="msg__time" dateTime={time.toISOString()}>
        {time.toLocaleTimeString(localeFor(language), { hour: 'numeric', minute: '2-digit' })}
      </time>
    </li>
  );
}
