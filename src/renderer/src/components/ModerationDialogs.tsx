import { useEffect, useState } from 'react';
import type { Participant, ResultTypes } from '../../../shared/protocol';
import { allowClearAudio, confirmSafetyCode, crisisInfo, endSession, remove, safetyCodeFor } from '../services/room';
import { Dialog } from './Dialog';
import { t } from '../i18n';

export function RemoveDialog({ person, onClose }: { person: Participant; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    if ((await remove(person.participantId, reason)) !== null) onClose();
    else setBusy(false);
  };
  return (
    <Dialog
      title={t.dialogs.remove.title(person.displayName)}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {t.dialogs.cancel}
          </button>
          <button
            type="button"
            className="button danger-solid"
            disabled={busy || reason.trim() === ''}
            onClick={() => void submit()}
          >
            {t.dialogs.remove.confirm}
          </button>
        </>
      }
    >
      <p>{t.dialogs.remove.body}</p>
      <label className="field">
        {t.dialogs.remove.reason}
        <textarea
          value={reason}
          maxLength={500}
          rows={3}
          required
          autoFocus
          onChange={(e) => setReason(e.target.value)}
          placeholder={t.dialogs.remove.reasonPlaceholder}
        />
      </label>
    </Dialog>
  );
}

type Crisis = ResultTypes['crisisInfo'];

export function CrisisInfoDialog({ person, onClose }: { person: Participant; onClose: () => void }) {
  const [info, setInfo] = useState<Crisis | null>(null);
  const [busy, setBusy] = useState(false);
  const reveal = async () => {
    setBusy(true);
    const result = await crisisInfo(person.participantId);
    setBusy(false);
    if (result) setInfo(result);
  };
  return (
    <Dialog
      title={t.dialogs.crisis.title(person.displayName)}
      onClose={onClose}
      actions={
        info ? (
          <button type="button" className="button primary" onClick={onClose} autoFocus>
            {t.dialogs.close}
          </button>
        ) : (
          <>
            <button type="button" className="button quiet" onClick={onClose} autoFocus>
              {t.dialogs.cancel}
            </button>
            <button type="button" className="button primary" disabled={busy} onClick={() => void reveal()}>
              {t.dialogs.crisis.show}
            </button>
          </>
        )
      }
    >
      {info ? (
        <dl className="crisis">
          <dt>{t.dialogs.crisis.where}</dt>
          <dd>{info.location ?? t.dialogs.crisis.notGiven}</dd>
          <dt>{t.dialogs.crisis.contact}</dt>
          <dd>{info.emergencyContact ?? t.dialogs.crisis.notGiven}</dd>
        </dl>
      ) : (
        <p>{t.dialogs.crisis.warning(person.displayName)}</p>
      )}
    </Dialog>
  );
}

export function EndSessionDialog({ onClose }: { onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      title={t.dialogs.end.title}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose} autoFocus>
            {t.dialogs.end.keepGoing}
          </button>
          <button
            type="button"
            className="button danger-solid"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void endSession().finally(onClose);
            }}
          >
            {t.dialogs.end.confirm}
          </button>
        </>
      }
    >
      <p>{t.dialogs.end.body}</p>
    </Dialog>
  );
}

/**
 * The safety code both people read aloud (issue 19): the same six digits on both screens mean
 * nobody sits between this console and that person. Confirmed, their key is trusted and they
 * are given the call's key (or, on a member's console, the holder's key is).
 */
export function SafetyCodeDialog({ person, onClose }: { person: Participant; onClose: () => void }) {
  const [code, setCode] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    void safetyCodeFor(person.participantId).then((c) => live && setCode(c ?? null));
    return () => {
      live = false;
    };
  }, [person.participantId]);
  const confirm = async () => {
    setBusy(true);
    await confirmSafetyCode(person.participantId);
    onClose();
  };
  return (
    <Dialog
      title={t.dialogs.safetyCode.title(person.displayName)}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {t.dialogs.cancel}
          </button>
          <button type="button" className="button primary" disabled={busy || !code} onClick={() => void confirm()}>
            {t.dialogs.safetyCode.confirm}
          </button>
        </>
      }
    >
      {code === undefined ? (
        <p className="muted">{t.dialogs.safetyCode.working}</p>
      ) : code === null ? (
        <p>{t.dialogs.safetyCode.noKey(person.displayName)}</p>
      ) : (
        <>
          <p>{t.dialogs.safetyCode.readAloud(person.displayName)}</p>
          <p className="safety-code" data-testid="safety-code">
            {code}
          </p>
          <p className="muted small">{t.dialogs.safetyCode.explain}</p>
        </>
      )}
    </Dialog>
  );
}

/** Before letting someone take part by audio in the clear: what it means, said plainly, and only then allowed. */
export function ClearAudioDialog({ person, onClose }: { person: Participant; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const allow = async () => {
    setBusy(true);
    await allowClearAudio(person.participantId, true);
    onClose();
  };
  return (
    <Dialog
      title={t.dialogs.clearAudio.title(person.displayName)}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {t.dialogs.cancel}
          </button>
          <button type="button" className="button danger-solid" disabled={busy} onClick={() => void allow()} data-testid="allow-clear-audio">
            {t.dialogs.clearAudio.confirm}
          </button>
        </>
      }
    >
      <p>{t.dialogs.clearAudio.explain(person.displayName)}</p>
      <p className="muted small">{t.dialogs.clearAudio.everyone}</p>
    </Dialog>
  );
}
