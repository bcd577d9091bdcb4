import { useEffect, useId, useRef } from 'react';
import { useParticipantStore } from '../store';
import { useService } from '../serviceContext';
import type { GroupChatMessage } from '../groupChatState';
import { CloseIcon } from './icons';
import { closeOnEscape, Composer } from './ChatPanel';

/**
 * The group chat (issue 20): what everyone in the group writes for everyone, beside the call
 * as the private conversation is. Sealed end to end; nothing is saved, and someone let in later
 * sees nothing from before. How someone taking part by text only takes part.
 */
export function GroupChatPanel({ onClose }: { onClose: () => void }) {
  const service = useService();
  const messages = useParticipantStore((s) => s.groupChat.messages);
  const enabled = useParticipantStore((s) => s.groupChat.enabled);
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
      data-testid="group-chat-panel"
      onKeyDown={(e) => closeOnEscape(e, onClose)}
    >
      <header className="chat__header">
        <h2 id={ids.title} className="chat__title">
          Group chat
        </h2>
        <button type="button" className="icon-button" aria-label="Close the group chat" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      <p id={ids.privacy} className="chat__privacy">
        Everyone in the group sees these messages, your therapist too. They aren’t saved, and people who join later don’t see them.
      </p>

      {messages.length === 0 ? (
        <p className="chat__empty">If you can’t or would rather not speak, you can take part here.</p>
      ) : null}
      <div ref={log} className="chat__log" role="log" aria-live="polite" aria-label="Group chat messages">
        {messages.length > 0 ? (
          <ol className="chat__list">
            {messages.map((m) => (
              <GroupMessage key={m.id} message={m} />
            ))}
          </ol>
        ) : null}
      </div>

      <Composer
        send={(text) => service.sendGroupMessage(text)}
        {...(enabled ? {} : { disabled: 'Your therapist has turned the group chat off for now.' })}
      />
    </aside>
  );
}

function GroupMessage({ message }: { message: GroupChatMessage }) {
  const mine = message.from === 'me';
  const time = new Date(message.at);
  return (
    <li className={mine ? 'msg msg--me' : 'msg msg--them'} data-from={message.from}>
      <span className="msg__who">
        {message.name}
        {message.byFacilitator ? <span className="badge">Therapist</span> : null}
      </span>
      <span className="visually-hidden">: </span>
      <span className="msg__text">{message.text}</span>
      <time className="msg__time" dateTime={time.toISOString()}>
        {time.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })}
      </time>
    </li>
  );
}
