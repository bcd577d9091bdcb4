import { ErrorBanner } from '../components/Banner';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import qrcode from 'qrcode-generator';
import {
  MIN_PASSWORD_LENGTH,
  type ClinicianAccount,
  type ClinicianRole,
  type TotpEnrolment,
} from '../../../shared/protocol';
import { call, messageOf } from '../bridge';
import { CheckboxList } from '../components/CheckboxList';
import { Dialog } from '../components/Dialog';
import { BreachReportDialog } from '../components/BreachReportDialog';
import { useConsole } from '../store';

const ROLES: ClinicianRole[] = ['facilitator', 'supervisor', 'admin'];
const roleName: Record<ClinicianRole, string> = { facilitator: 'Facilitator', supervisor: 'Supervisor', admin: 'Admin' };
const when = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

type Dialogs =
  | { kind: 'create' }
  | { kind: 'edit'; account: ClinicianAccount }
  | { kind: 'password'; account: ClinicianAccount }
  | { kind: 'totp'; account: ClinicianAccount; enrolment: TotpEnrolment }
  | { kind: 'breach'; account: ClinicianAccount }
  | null;

/** Admins: every clinician account, its roles, second factor, supervisees and status. */
export function AccountsScreen() {
  const me = useConsole((s) => s.account?.user.id);
  const [accounts, setAccounts] = useState<ClinicianAccount[] | null>(null);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    call('admin:accounts', {})
      .then(setAccounts)
      .catch((err: unknown) => setError(messageOf(err)));
  }, []);
  useEffect(load, [load]);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      load();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const enrol = (account: ClinicianAccount) =>
    act(async () => setDialog({ kind: 'totp', account, enrolment: await call('admin:enrolTotp', { id: account.id }) }));

  return (
    <section aria-labelledby="accounts-title">
      <div className="section-head">
        <div>
          <h1 id="accounts-title">Accounts</h1>
          <p className="muted">Clinicians who can sign in to Confidant, what they may do, and their second factor.</p>
        </div>
        <button type="button" className="button primary" onClick={() => setDialog({ kind: 'create' })}>
          New account
        </button>
      </div>
      <ErrorBanner message={error} />
      <table className="table accounts">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Roles</th>
            <th scope="col">Second factor</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(accounts ?? []).map((a) => (
            <tr key={a.id} data-testid={`account-${a.username}`}>
              <td>{a.displayName}</td>
              <td className="muted">{a.username}</td>
              <td>{a.roles.map((r) => roleName[r]).join(', ')}</td>
              <td>{a.totpEnrolled ? <span className="pill state-live">Enrolled</span> : <span className="pill">Not enrolled</span>}</td>
              <td>
                {!a.active ? (
                  <span className="pill inv-revoked">Deactivated</span>
                ) : a.lockedUntil ? (
                  <span className="pill inv-revoked">Locked until {when.format(new Date(a.lockedUntil))}</span>
                ) : (
                  <span className="pill state-live">Active</span>
                )}
              </td>
              <td className="row-actions">
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'edit', account: a })} aria-label={`Edit ${a.username}`}>
                  Edit
                </button>
                <button type="button" className="button quiet small" onClick={() => void enrol(a)} aria-label={`${a.totpEnrolled ? 'New 2FA' : 'Enrol 2FA'} for ${a.username}`}>
                  {a.totpEnrolled ? 'New 2FA' : 'Enrol 2FA'}
                </button>
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'password', account: a })} aria-label={`Reset password for ${a.username}`}>
                  Reset password
                </button>
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'breach', account: a })} aria-label={`Breach report for ${a.username}`}>
                  Breach report
                </button>
                {a.id !== me && (
                  <button
                    type="button"
                    className={`button small ${a.active ? 'danger' : 'quiet'}`}
                    onClick={() => void act(() => call('admin:updateAccount', { id: a.id, changes: { active: !a.active } }))}
                    aria-label={`${a.active ? 'Deactivate' : 'Reactivate'} ${a.username}`}
                  >
                    {a.active ? 'Deactivate' : 'Reactivate'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog?.kind === 'create' && <AccountDialog accounts={accounts ?? []} onClose={() => setDialog(null)} onSaved={load} />}
      {dialog?.kind === 'edit' && (
        <AccountDialog account={dialog.account} accounts={accounts ?? []} onClose={() => setDialog(null)} onSaved={load} />
      )}
      {dialog?.kind === 'password' && <PasswordDialog account={dialog.account} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'totp' && <TotpDialog account={dialog.account} enrolment={dialog.enrolment} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'breach' && <BreachReportDialog account={dialog.account} onClose={() => setDialog(null)} />}
    </section>
  );
}

function AccountDialog({
  account,
  accounts,
  onClose,
  onSaved,
}: {
  account?: ClinicianAccount;
  accounts: ClinicianAccount[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [username, setUsername] = useState(account?.username ?? '');
  const [displayName, setDisplayName] = useState(account?.displayName ?? '');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<ClinicianRole[]>(account?.roles ?? ['facilitator']);
  const [supervisees, setSupervisees] = useState<string[]>(account?.superviseeIds ?? []);
  const [error, setError] = useState<string | null>(null);
  const facilitators = accounts.filter((a) => a.roles.includes('facilitator') && a.id !== account?.id && a.active);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      if (account) {
        await call('admin:updateAccount', {
          id: account.id,
          changes: { displayName, roles, superviseeIds: roles.includes('supervisor') ? supervisees : [] },
        });
      } else {
        const created = await call('admin:createAccount', { username, displayName, password, roles });
        if (roles.includes('supervisor') && supervisees.length > 0) {
          await call('admin:updateAccount', { id: created.id, changes: { superviseeIds: supervisees } });
        }
      }
      onSaved();
      onClose();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Dialog
      title={account ? `Edit ${account.displayName}` : 'New account'}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="account-form" className="button primary" disabled={roles.length === 0}>
            {account ? 'Save' : 'Create account'}
          </button>
        </>
      }
    >
      <form id="account-form" className="form" onSubmit={(e) => void submit(e)}>
        {!account && (
          <label className="field">
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus autoComplete="off" />
          </label>
        )}
        <label className="field">
          Name shown in sessions
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={80} />
        </label>
        {!account && (
          <label className="field">
            First password <span className="muted">(at least {MIN_PASSWORD_LENGTH} characters)</span>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
          </label>
        )}
        <CheckboxList
          legend="Roles"
          options={ROLES.map((r) => ({ id: r, label: roleName[r] }))}
          selected={roles}
          onChange={(ids) => setRoles(ROLES.filter((r) => ids.includes(r)))}
          empty=""
        />
        {roles.includes('supervisor') && (
          <CheckboxList
            legend="Supervises"
            options={facilitators.map((f) => ({ id: f.id, label: f.displayName }))}
            selected={supervisees}
            onChange={setSupervisees}
            empty="No facilitators yet."
          />
        )}
        <ErrorBanner message={error} />
      </form>
    </Dialog>
  );
}

function PasswordDialog({ account, onClose }: { account: ClinicianAccount; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await call('admin:resetPassword', { id: account.id, password });
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Dialog
      title={`Reset password for ${account.displayName}`}
      onClose={onClose}
      actions={
        done ? (
          <button type="button" className="button primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="button quiet" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" form="password-form" className="button primary">
              Reset password
            </button>
          </>
        )
      }
    >
      {done ? (
        <p role="status">The password is changed and every device signed in as {account.username} has been signed out.</p>
      ) : (
        <form id="password-form" className="form" onSubmit={(e) => void submit(e)}>
          <label className="field">
            New password <span className="muted">(at least {MIN_PASSWORD_LENGTH} characters, not a common one)</span>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoFocus autoComplete="new-password" />
          </label>
          <ErrorBanner message={error} />
        </form>
      )}
    </Dialog>
  );
}

function TotpDialog({ account, enrolment, onClose }: { account: ClinicianAccount; enrolment: TotpEnrolment; onClose: () => void }) {
  const qr = qrcode(0, 'M');
  qr.addData(enrolment.otpauthUri);
  qr.make();
  return (
    <Dialog
      title={`Second factor for ${account.displayName}`}
      onClose={onClose}
      actions={
        <button type="button" className="button primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p className="small">
        Have {account.displayName} scan this with an authenticator app (or type the key in). From now on they sign in with
        a code from it. This code is shown only now.
      </p>
      <img className="qr" src={qr.createDataURL(5, 2)} alt={`QR code enrolling ${account.username}'s authenticator`} />
      <p className="small">
        Key: <code className="secret" data-testid="totp-secret">{enrolment.secret}</code>
      </p>
    </Dialog>
  );
}
