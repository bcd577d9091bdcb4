import { ErrorBanner } from './Banner';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { IssuedInvitationLink } from '../../../shared/ipc';
import type { InvitationSummary, SessionSummary } from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { Dialog } from './Dialog';

const stateLabel: Record<InvitationSummary['state'], string> = {
  active: 'Active',
  revoked: 'Revoked',
  expired: 'Expired',
};

type Confirm = { kind: 'reissue' | 'revoke'; invitation: InvitationSummary } | null;

/** A session's invitations: invite a client, copy the link and passcode once, re-issue, revoke. */
export function InvitationsDialog({ session, onClose }: { session: SessionSummary; onClose: () => void }) {
  const [list, setList] = useState<InvitationSummary[] | null>(null);
  const [issued, setIssued] = useState<IssuedInvitationLink | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [ref, setRef] = useState('');
  const [hint, setHint] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    call('invitations:list', { sessionId: session.id })
      .then(setList)
      .catch((err: unknown) => setError(messageOf(err)));
  }, [session.id]);
  useEffect(load, [load]);

  const run = async (work: () => Promise<IssuedInvitationLink | unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const result = await work();
      if (result && typeof result === 'object' && 'passcode' in result) setIssued(result as IssuedInvitationLink);
      load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setConfirm(null);
    }
  };

  const invite = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const result = await call('invitations:create', {
        sessionId: session.id,
        participantRef: ref,
        ...(hint.trim() ? { verificationHint: hint } : {}),
      });
      setRef('');
      setHint('');
      return result;
    });
  };

  return (
    <Dialog
      title={`Invitations · ${session.title}`}
      onClose={onClose}
      wide
      actions={
        <button type="button" className="button quiet" onClick={onClose}>
          Done
        </button>
      }
    >
      {issued && <IssuedCard issued={issued} onDismiss={() => setIssued(null)} />}
      {confirm && (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {confirm.kind === 'reissue'
              ? `Re-issue ${confirm.invitation.participantRef}'s invitation? The old link and passcode stop working at once.`
              : `Revoke ${confirm.invitation.participantRef}'s invitation? They will not be able to join this session.`}
          </p>
          <div className="controls">
            <button type="button" className="button quiet small" onClick={() => setConfirm(null)}>
              Cancel
            </button>
            <button
              type="button"
              className={`button small ${confirm.kind === 'revoke' ? 'danger-solid' : 'primary'}`}
              disabled={busy}
              onClick={() =>
                void run(() =>
                  confirm.kind === 'reissue'
                    ? call('invitations:reissue', { invitationId: confirm.invitation.id })
                    : call('invitations:revoke', { invitationId: confirm.invitation.id }),
                )
              }
            >
              {confirm.kind === 'reissue' ? 'Re-issue' : 'Revoke'}
            </button>
          </div>
        </div>
      )}
      <ErrorBanner message={error} />
      <table className="table">
        <caption className="visually-hidden">Invitations to {session.title}</caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">How to recognise them</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list === null ? (
            <tr>
              <td colSpan={4} className="muted">
                Loading…
              </td>
            </tr>
          ) : list.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                Nobody is invited yet.
              </td>
            </tr>
          ) : (
            list.map((inv) => (
              <tr key={inv.id} data-testid={`invitation-${inv.participantRef}`}>
                <td>{inv.participantRef}</td>
                <td className="muted">{inv.verificationHint ?? '—'}</td>
                <td>
                  <span className={`pill inv-${inv.state}`}>{stateLabel[inv.state]}</span>
                </td>
                <td className="row-actions">
                  {inv.state === 'active' && (
                    <>
                      <button
                        type="button"
                        className="button quiet small"
                        onClick={() => setConfirm({ kind: 'reissue', invitation: inv })}
                        aria-label={`Re-issue ${inv.participantRef}`}
                      >
                        Re-issue
                      </button>
                      <button
                        type="button"
                        className="button danger small"
                        onClick={() => setConfirm({ kind: 'revoke', invitation: inv })}
                        aria-label={`Revoke ${inv.participantRef}`}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <form className="invite-form" onSubmit={invite}>
        <h3>Invite a client</h3>
        <div className="field-row">
          <label className="field">
            Client reference
            <input value={ref} onChange={(e) => setRef(e.target.value)} required maxLength={64} placeholder="IOP-1046" />
          </label>
          <label className="field grow">
            How to recognise them <span className="muted">(optional, only clinicians see it)</span>
            <input value={hint} onChange={(e) => setHint(e.target.value)} maxLength={200} placeholder="Code word: harbour" />
          </label>
        </div>
        <button type="submit" className="button primary" disabled={busy || ref.trim() === ''}>
          Create invitation
        </button>
      </form>
    </Dialog>
  );
}

function IssuedCard({ issued, onDismiss }: { issued: IssuedInvitationLink; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    await call('app:copy', { text, secret: true });
    setCopied(what);
  };
  return (
    <div className="issued" role="status" data-testid="issued-invitation">
      <h3>Invitation for {issued.invitation.participantRef}</h3>
      <p className="small">
        Send the link and the passcode separately (for example the link by email, the passcode by text). This is the
        only time the passcode is shown.
      </p>
      <div className="secret-row">
        <code className="secret" data-testid="issued-url">
          {issued.url}
        </code>
        <button type="button" className="button quiet small" onClick={() => void copy('link', issued.url)}>
          Copy link
        </button>
      </div>
      {issued.linkSecret === false && (
        <p className="muted small" data-testid="issued-no-secret">
          This link carries no encryption secret (the keychain is unavailable): read the safety code with the client when
          you verify them.
        </p>
      )}
      <div className="secret-row">
        <code className="secret passcode" data-testid="issued-passcode">
          {issued.passcode}
        </code>
        <button type="button" className="button quiet small" onClick={() => void copy('passcode', issued.passcode)}>
          Copy passcode
        </button>
      </div>
      <p className="muted small" aria-live="polite">
        {copied ? `Copied the ${copied}. It is cleared from the clipboard after a minute.` : '\u00a0'}
      </p>
      <button type="button" className="button quiet small" onClick={onDismiss}>
        I have sent it — hide
      </button>
    </div>
  );
}
