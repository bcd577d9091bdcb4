import { useState } from 'react';
import type { ConnectionQuality, Participant, Producer, VerificationMethod } from '../../../shared/protocol';
import { allowClearAudio, allowUnmute, mute, returnToWaiting, verify } from '../services/room';
import { useConsole } from '../store';
import type { EncryptionView } from '../services/encryption';
import { ClearAudioDialog, CrisisInfoDialog, RemoveDialog, SafetyCodeDialog } from './ModerationDialogs';
import { Menu, type MenuEntry } from './Menu';
import { RatingBadge } from './CheckInRating';
import { LanguageBadge } from './LanguageBadge';
import { t } from '../i18n';

export const roleLabel: Record<Participant['role'], string> = t.participants.roles;

export const verificationLabel: Record<VerificationMethod, string> = t.participants.verification;

type Dialog = { kind: 'remove' | 'crisis' | 'safety' | 'clearAudio'; person: Participant } | null;

/** A person's standing in the call's encryption, as this console sees it; null when there is nothing to say. */
function keyState(encryption: EncryptionView, p: Participant, myId: string | null): { label: string; tone: string; title: string; code?: boolean } | null {
  if (p.participantId === myId) return null;
  const k = t.participants.key;
  if (encryption.role === 'member') {
    if (p.participantId !== encryption.holder?.participantId) return null;
    const trust = encryption.holder.trust;
    if (trust === 'needs code') return { label: k.checkCode, tone: 'warn', title: k.checkCodeHolderTitle, code: true };
    if (trust === 'proof failed') return { label: k.mismatch, tone: 'danger', title: k.mismatchHolderTitle };
    return null;
  }
  if (encryption.role !== 'holder') return null;
  switch (encryption.trust[p.participantId]) {
    case 'proved':
    case 'code confirmed':
      return { label: k.encrypted, tone: 'ok', title: k.encryptedTitle };
    case 'needs code':
      return { label: k.checkCode, tone: 'warn', title: k.checkCodeTitle, code: true };
    case 'proof failed':
      return { label: k.mismatch, tone: 'danger', title: k.mismatchTitle };
    case 'cannot encrypt':
      return encryption.clearAudio.includes(p.participantId)
        ? { label: k.inClear, tone: 'warn', title: k.inClearTitle }
        : { label: k.cannotEncrypt, tone: 'danger', title: k.cannotEncryptTitle };
    default:
      return { label: k.noKey, tone: 'warn', title: k.noKeyTitle };
  }
}

/** Whether a person is sending a kind of media right now, from the producers the room knows. */
export function sendState(producers: Producer[], participantId: string, kind: 'audio' | 'video'): 'on' | 'off' {
  return producers.some((p) => p.participantId === participantId && p.kind === kind && !p.paused) ? 'on' : 'off';
}

function localState(stream: MediaStream | null, muted: boolean, kind: 'audio' | 'video'): 'on' | 'off' {
  const has = kind === 'audio' ? (stream?.getAudioTracks().length ?? 0) > 0 : (stream?.getVideoTracks().length ?? 0) > 0;
  return has && !muted ? 'on' : 'off';
}

export function ParticipantList() {
  const participants = useConsole((s) => s.participants);
  const producers = useConsole((s) => s.producers);
  const myId = useConsole((s) => s.myParticipantId);
  const myRole = useConsole((s) => s.myRole);
  const localStream = useConsole((s) => s.localStream);
  const localMuted = useConsole((s) => s.localMuted);
  const ownConnection = useConsole((s) => s.ownConnection);
  const unread = useConsole((s) => s.unread);
  const openConversation = useConsole((s) => s.openConversation);
  const encryption = useConsole((s) => s.encryption);
  const [dialog, setDialog] = useState<Dialog>(null);

  const list = Object.values(participants).sort(
    (a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName),
  );
  const producerList = Object.values(producers);
  const canModerate = myRole === 'facilitator';

  return (
    <section className="panel" aria-labelledby="present-title">
      <h2 id="present-title">
        {t.participants.title} <span className="count">{list.length}</span>
      </h2>
      <ul className="people">
        {list.map((p) => {
          const isMe = p.participantId === myId;
          // The server never announces our own producers to us: our state is local.
          const mic = isMe ? localState(localStream, localMuted.audio, 'audio') : sendState(producerList, p.participantId, 'audio');
          const cam = isMe ? localState(localStream, localMuted.video, 'video') : sendState(producerList, p.participantId, 'video');
          const key = keyState(encryption, p, myId);
          return (
            <li key={p.participantId} className="person" data-testid={`person-${p.participantId}`}>
              <div className="person-main">
                <span className="person-name">
                  {isMe ? t.participants.you(p.displayName) : p.displayName}
                  {p.verified && (
                    <span
                      className="badge verified"
                      title={p.verificationMethod ? t.participants.verifiedBy(verificationLabel[p.verificationMethod]) : t.participants.verified}
                    >
                      {t.participants.verified}
                    </span>
                  )}
                  {p.textOnly && <TextOnlyBadge participantId={p.participantId} />}
                  <LanguageBadge participantId={p.participantId} language={p.language} />
                </span>
                <span className="muted small">
                  {roleLabel[p.role]}
                  {p.participantRef && ` · ${p.participantRef}`}
                </span>
                {p.rating && <RatingBadge participantId={p.participantId} rating={p.rating} />}
                <span className="media-state small">
                  {p.connection === 'reconnecting' ? (
                    // Their media went with the connection; what they had on is not known until they are back.
                    <span className="badge reconnecting" title={t.participants.reconnectingTitle}>
                      {t.participants.reconnecting}
                    </span>
                  ) : (
                    <>
                      {!p.textOnly && <MediaFlag kind={t.participants.mic} state={mic} forced={p.mutedByFacilitator.audio} />}
                      {!p.textOnly && <MediaFlag kind={t.participants.camera} state={cam} forced={p.mutedByFacilitator.video} />}
                      <ConnectionFlag participantId={p.participantId} quality={isMe ? ownConnection : (p.connectionQuality ?? null)} />
                    </>
                  )}
                  {key &&
                    (key.code ? (
                      <button
                        type="button"
                        className={`badge key ${key.tone}`}
                        title={key.title}
                        data-testid={`key-${p.participantId}`}
                        onClick={() => setDialog({ kind: 'safety', person: p })}
                      >
                        {key.label}
                      </button>
                    ) : (
                      <span className={`badge key ${key.tone}`} title={key.title} data-testid={`key-${p.participantId}`}>
                        {key.label}
                      </span>
                    ))}
                </span>
              </div>
              {canModerate && p.role === 'client' && (
                <div className="person-actions">
                  <button
                    type="button"
                    className="button quiet small"
                    onClick={() => openConversation(p.participantId)}
                    aria-label={t.participants.messageLabel(p.displayName, unread[p.participantId] ?? 0)}
                  >
                    {t.participants.message}
                    {unread[p.participantId] ? <span className="unread">{unread[p.participantId]}</span> : null}
                  </button>
                  <Menu label={t.participants.actions(p.displayName)} items={menuFor(p, setDialog, encryption)}>
                    <span aria-hidden="true">⋯</span>
                  </Menu>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {dialog?.kind === 'remove' && <RemoveDialog person={dialog.person} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'crisis' && <CrisisInfoDialog person={dialog.person} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'safety' && <SafetyCodeDialog person={dialog.person} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'clearAudio' && <ClearAudioDialog person={dialog.person} onClose={() => setDialog(null)} />}
    </section>
  );
}

function rank(p: Participant): number {
  return p.role === 'facilitator' ? 0 : p.role === 'observer' ? 1 : 2;
}

/** How good someone's connection is (issue 22), as their browser last reported it. */
function ConnectionFlag({ participantId, quality }: { participantId: string; quality: ConnectionQuality | null }) {
  if (!quality) return null;
  return (
    <span className={`flag connection ${quality}`} title={t.participants.connection[quality]} data-testid={`connection-${participantId}`} data-quality={quality}>
      {t.participants.connectionFlag(quality)}
    </span>
  );
}

function MediaFlag({ kind, state, forced }: { kind: string; state: 'on' | 'off'; forced: boolean }) {
  const text = t.participants.mediaFlag(kind, state, forced);
  return <span className={`flag ${forced ? 'forced' : state}`}>{text}</span>;
}

function mediaItems(p: Participant): MenuEntry[] {
  const id = p.participantId;
  return [
    p.mutedByFacilitator.audio
      ? { label: t.participants.menu.askUnmuteMic, onSelect: () => void allowUnmute(id, 'audio') }
      : { label: t.participants.menu.muteMic, onSelect: () => void mute(id, 'audio') },
    p.mutedByFacilitator.video
      ? { label: t.participants.menu.askCameraOn, onSelect: () => void allowUnmute(id, 'video') }
      : { label: t.participants.menu.stopVideo, onSelect: () => void mute(id, 'video') },
    'separator',
  ];
}

/** On the holder's console, for someone whose browser cannot encrypt: audio in the clear, allowed or stopped. */
function clearAudioItems(p: Participant, open: (d: Dialog) => void, encryption: EncryptionView): MenuEntry[] {
  if (encryption.role !== 'holder' || encryption.trust[p.participantId] !== 'cannot encrypt') return [];
  return encryption.clearAudio.includes(p.participantId)
    ? [{ label: t.participants.menu.stopClearAudio(p.displayName), onSelect: () => void allowClearAudio(p.participantId, false) }]
    : [{ label: t.participants.menu.allowClearAudio(p.displayName), onSelect: () => open({ kind: 'clearAudio', person: p }) }];
}

function menuFor(p: Participant, open: (d: Dialog) => void, encryption: EncryptionView): MenuEntry[] {
  const id = p.participantId;
  const verifyItems: MenuEntry[] = p.verified
    ? [{ label: t.participants.verifiedMenu(p.verificationMethod ? verificationLabel[p.verificationMethod] : null), onSelect: () => undefined, disabled: true }]
    : [
        { label: t.participants.menu.byPhotoId, onSelect: () => void verify(id, 'photo-id') },
        { label: t.participants.menu.byVerbalCode, onSelect: () => void verify(id, 'verbal-code') },
        { label: t.participants.menu.knownToMe, onSelect: () => void verify(id, 'known-to-clinician') },
      ];
  return [
    { heading: t.participants.menu.identity },
    ...verifyItems,
    { label: t.participants.menu.safetyCode, onSelect: () => open({ kind: 'safety', person: p }) },
    ...clearAudioItems(p, open, encryption),
    'separator',
    // Taking part by text: no microphone or camera to mute; the rest of the menu is the same.
    ...(p.textOnly ? [] : mediaItems(p)),
    { label: t.participants.menu.returnToWaiting, onSelect: () => void returnToWaiting(id) },
    { label: t.participants.menu.remove, tone: 'danger', onSelect: () => open({ kind: 'remove', person: p }) },
    'separator',
    { label: t.participants.menu.crisis, onSelect: () => open({ kind: 'crisis', person: p }) },
  ];
}

/** Taking part by text only (issue 20): no camera or microphone, the group chat instead. */
export function TextOnlyBadge({ participantId }: { participantId: string }) {
  return (
    <span className="badge text-only" title={t.textOnly.title} data-testid={`text-only-${participantId}`}>
      {t.textOnly.badge}
    </span>
  );
}
