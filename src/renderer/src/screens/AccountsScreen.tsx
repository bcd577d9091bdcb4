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
import { t } from '../i18n';

const ROLES: ClinicianRole[] = ['facilitator', 'supervisor', 'admin'];
const roleName: Record<ClinicianRole, string> = t.accounts.roles;
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
          <h1 id="accounts-title">{t.accounts.title}</h1>
          <p className="muted">{t.accounts.lead}</p>
        </div>
        <button type="button" className="button primary" onClick={() => setDialog({ kind: 'create' })}>
          {t.accounts.newAccount}
        </button>
      </div>
      <ErrorBanner message={error} />
      <table className="table accounts">
        <thead>
          <tr>
            <th scope="col">{t.accounts.columns.name}</th>
            <th scope="col">{t.accounts.columns.username}</th>
            <th scope="col">{t.accounts.columns.roles}</th>
            <th scope="col">{t.accounts.columns.secondFactor}</th>
            <th scope="col">{t.accounts.columns.status}</th>
            <th scope="col">
              <span className="visually-hidden">{t.accounts.columns.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(accounts ?? []).map((a) => (
            <tr key={a.id} data-testid={`account-${a.username}`}>
              <td>{a.displayName}</td>
              <td className="muted">{a.username}</td>
              <td>{a.roles.map((r) => roleName[r]).join(', ')}</td>
              <td>{a.totpEnrolled ? <span className="pill state-live">{t.accounts.enrolled}</span> : <span className="pill">{t.accounts.notEnrolled}</span>}</td>
              <td>
                {!a.active ? (
                  <span className="pill inv-revoked">{t.accounts.deactivated}</span>
                ) : a.lockedUntil ? (
                  <span className="pill inv-revoked">{t.accounts.lockedUntil(when.format(new Date(a.lockedUntil)))}</span>
                ) : (
                  <span className="pill state-live">{t.accounts.active}</span>
                )}
              </td>
              <td className="row-actions">
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'edit', account: a })} aria-label={t.accounts.editLabel(a.username)}>
                  {t.accounts.edit}
                </button>
                <button type="button" className="button quiet small" onClick={() => void enrol(a)} aria-label={t.accounts.totpLabel(a.totpEnrolled, a.username)}>
                  {t.accounts.totp(a.totpEnrolled)}
                </button>
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'password', account: a })} aria-label={t.accounts.resetPasswordLabel(a.username)}>
                  {t.accounts.resetPassword}
                </button>
                <button type="button" className="button quiet small" onClick={() => setDialog({ kind: 'breach', account: a })} aria-label={t.accounts.breachLabel(a.username)}>
                  {t.accounts.breach}
                </button>
                {a.id !== me && (
                  <button
                    type="button"
                    className={`button small ${a.active ? 'danger' : 'quiet'}`}
                    onClick={() => void act(() => call('admin:updateAccount', { id: a.id, changes: { active: !a.active } }))}
                    aria-label={t.accounts.activeToggleLabel(a.active, a.username)}
                  >
                    {t.accounts.activeToggle(a.active)}
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
      title={account ? t.accounts.editTitle(account.displayName) : t.accounts.newAccount}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button quiet" onClick={onClose}>
            {t.accounts.cancel}
          </button>
          <button type="submit" form="account-form" className="button primary" disabled={roles.length === 0}>
            {account ? t.accounts.save : t.accounts.create}
          </button>
        </>
      }
    >
      <form id="account-form" className="form" onSubmit={(e) => void submit(e)}>
        {!account && (
          <label className="field">
            {t.accounts.username}
            <input value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus autoComplete="off" />
          </label>
        )}
        <label className="field">
          {t.accounts.displayName}
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={80} />
        </label>
        {!account && (
          <label className="field">
            {t.accounts.firstPassword} <span className="muted">{t.accounts.atLeast(MIN_PASSWORD_LENGTH)}</span>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
          </label>
        )}
        <CheckboxList
          legend={t.accounts.rolesLegend}
          options={ROLES.map((r) => ({ id: r, label: roleName[r] }))}
          selected={roles}
          onChange={(ids) => setRoles(ROLES.filter((r) => ids.includes(r)))}
          empty=""
        />
        {roles.includes('supervisor') && (
          <CheckboxList
            legend={t.accounts.supervises}
            options={facilitators.map((f) => ({ id: f.id, label: f.displayName }))}
            selected={supervisees}
            onChange={setSupervisees}
            empty={t.accounts.noFacilitators}
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
      title={t.accounts.resetTitle(account.displayName)}
      onClose={onClose}
      actions={
        done ? (
          <button type="button" className="button primary" onClick={onClose}>
            {t.accounts.close}
          </button>
        ) : (
          <>
            <button type="button" className="button quiet" onClick={onClose}>
              {t.accounts.cancel}
            </button>
            <button type="submit" form="password-form" className="button primary">
              {t.accounts.resetPassword}
            </button>
          </>
        )
      }
    >
      {done ? (
        <p role="status">{t.accounts.passwordChanged(account.username)}</p>
      ) : (
        <form id="password-form" className="form" onSubmit={(e) => void submit(e)}>
          <label className="field">
            {t.accounts.newPassword} <span className="muted">{t.accounts.atLeastNotCommon(MIN_PASSWORD_LENGTH)}</span>
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
      title={t.accounts.totpTitle(account.displayName)}
      onClose={onClose}
      actions={
        <button type="button" className="button primary" onClick={onClose}>
          {t.accounts.done}
        </button>
      }
    >
      <p className="small">
        {t.accounts.scan(account.displayName)}
      </p>
      <img className="qr" src={qr.createDataURL(5, 2)} alt={t.accounts.qrAlt(account.username)} />
      <p className="small">
        {t.accounts.key} <code className="secret" data-testid="totp-secret">{enrolment.secret}</code>
      </p>
    </Dialog>
  );
}
