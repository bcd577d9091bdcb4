import { useEffect, useState } from 'react';
import type { Participant, ResultTypes } from '../../../shared/protocol';
import { confirmSafetyCode, crisisInfo, endSession, remove, safetyCodeFor } from '../services/room';
import { Dialog } from './Dialog';

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
      title={`Remove ${person.displayName}?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button danger-solid"
            disabled={busy || reason.trim() === ''}
            onClick={() => void submit()}
          >
            Remove from session
          </button>
        </>
      }
    >
      <p>
        They leave the group at once and their invitation link stops working for this session. The reason is kept
        with the session&apos;s record.
      </p>
      <label className="field">
        Reason
        <textarea
          value={reason}
          maxLength={500}
          rows={3}
          required
          autoFocus
          onChange={(e) => setReason(e.target.value)}
          placeholder="For example: not the invited client; unsafe behaviour"
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
      title={`Crisis information for ${person.displayName}`}
      onClose={onClose}
      actions={
        info ? (
          <button type="button" className="button primary" onClick={onClose} autoFocus>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="button quiet" onClick={onClose} autoFocus>
              Cancel
            </button>
            <button type="button" className="button primary" disabled={busy} onClick={() => void reveal()}>
              Show crisis information
            </button>
          </>
        )
      }
    >
      {info ? (
        <dl className="crisis">
          <dt>Where they are</dt>
          <dd>{info.location ?? 'Not given'}</dd>
          <dt>Emergency contact</dt>
          <dd>{info.emergencyContact ?? 'Not given'}</dd>
        </dl>
      ) : (
        <p>
          Use this only if you believe {person.displayName} may be at risk. Viewing it is recorded with your name and the
          time. It is kept for this session only.
        </p>
      )}
    </Dialog>
  );
}

export function EndSessionDialog({ onClose }: { onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      title="End the session for everyone?"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose} autoFocus>
            Keep going
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
            End session
          </button>
        </>
      }
    >
      <p>Everyone is disconnected and every invitation to this session stops working. This cannot be undone.</p>
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
      title={`Safety code with ${person.displayName}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" disabled={busy || !code} onClick={() => void confirm()}>
            Codes match
          </button>
        </>
      }
    >
      {code === undefined ? (
        <p className="muted">Working out the code…</p>
      ) : code === null ? (
        <p>{person.displayName} has not announced an encryption key yet. Try again in a moment.</p>
      ) : (
        <>
          <p>Read this code aloud with {person.displayName}. Their screen shows a code too.</p>
          <p className="safety-code" data-testid="safety-code">
            {code}
          </p>
          <p className="muted small">
            The same code on both screens means nobody is between you, so the call&apos;s key can go to them. If the codes
            differ, do not confirm: someone may be trying to listen in.
          </p>
        </>
      )}
    </Dialog>
  );
}
