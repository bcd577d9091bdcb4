import { ErrorBanner } from './Banner';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { IssuedInvitationLink } from '../../../shared/ipc';
import type { InvitationSummary, SessionSummary } from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { Dialog } from './Dialog';
import { t } from '../i18n';

const stateLabel: Record<InvitationSummary['state'], string> = t.invitations.states;

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
      title={t.invitations.title(session.title)}
      onClose={onClose}
      wide
      actions={
        <button type="button" className="button quiet" onClick={onClose}>
          {t.invitations.done}
        </button>
      }
    >
      {issued && <IssuedCard issued={issued} onDismiss={() => setIssued(null)} />}
      {confirm && (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            {confirm.kind === 'reissue'
              ? t.invitations.confirmReissue(confirm.invitation.participantRef)
              : t.invitations.confirmRevoke(confirm.invitation.participantRef)}
          </p>
          <div className="controls">
            <button type="button" className="button quiet small" onClick={() => setConfirm(null)}>
              {t.invitations.cancel}
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
              {confirm.kind === 'reissue' ? t.invitations.reissue : t.invitations.revoke}
            </button>
          </div>
        </div>
      )}
      <ErrorBanner message={error} />
      <table className="table">
        <caption className="visually-hidden">{t.invitations.caption(session.title)}</caption>
        <thead>
          <tr>
            <th scope="col">{t.invitations.client}</th>
            <th scope="col">{t.invitations.hint}</th>
            <th scope="col">{t.invitations.state}</th>
            <th scope="col">
              <span className="visually-hidden">{t.invitations.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list === null ? (
            <tr>
              <td colSpan={4} className="muted">
                {t.invitations.loading}
              </td>
            </tr>
          ) : list.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                {t.invitations.nobody}
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
                        aria-label={t.invitations.reissueLabel(inv.participantRef)}
                      >
                        {t.invitations.reissue}
                      </button>
                      <button
                        type="button"
                        className="button danger small"
                        onClick={() => setConfirm({ kind: 'revoke', invitation: inv })}
                        aria-label={t.invitations.revokeLabel(inv.participantRef)}
                      >
                        {t.invitations.revoke}
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
        <h3>{t.invitations.inviteTitle}</h3>
        <div className="field-row">
          <label className="field">
            {t.invitations.reference}
            <input value={ref} onChange={(e) => setRef(e.target.value)} required maxLength={64} placeholder={t.invitations.referencePlaceholder} />
          </label>
          <label className="field grow">
            {t.invitations.hint} <span className="muted">{t.invitations.hintOptional}</span>
            <input value={hint} onChange={(e) => setHint(e.target.value)} maxLength={200} placeholder={t.invitations.hintPlaceholder} />
          </label>
        </div>
        <button type="submit" className="button primary" disabled={busy || ref.trim() === ''}>
          {t.invitations.create}
        </button>
      </form>
    </Dialog>
  );
}

function IssuedCard({ issued, onDismiss }: { issued: IssuedInvitationLink; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'link' | 'passcode' | null>(null);
  const copy = async (what: 'link' | 'passcode', text: string) => {
    await call('app:copy', { text, secret: true });
    setCopied(what);
  };
  return (
    <div className="issued" role="status" data-testid="issued-invitation">
      <h3>{t.invitations.issuedTitle(issued.invitation.participantRef)}</h3>
      <p className="small">{t.invitations.sendSeparately}</p>
      <div className="secret-row">
        <code className="secret" data-testid="issued-url">
          {issued.url}
        </code>
        <button type="button" className="button quiet small" onClick={() => void copy('link', issued.url)}>
          {t.invitations.copyLink}
        </button>
      </div>
      {issued.linkSecret === false && (
        <p className="muted small" data-testid="issued-no-secret">
          {t.invitations.noSecret}
        </p>
      )}
      <div className="secret-row">
        <code className="secret passcode" data-testid="issued-passcode">
          {issued.passcode}
        </code>
        <button type="button" className="button quiet small" onClick={() => void copy('passcode', issued.passcode)}>
          {t.invitations.copyPasscode}
        </button>
      </div>
      <p className="muted small" aria-live="polite">
        {copied ? t.invitations.copied(copied) : '\u00a0'}
      </p>
      <button type="button" className="button quiet small" onClick={onDismiss}>
        {t.invitations.sent}
      </button>
    </div>
  );
}
