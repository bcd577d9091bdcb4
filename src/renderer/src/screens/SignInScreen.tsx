import { ErrorBanner } from '../components/Banner';
import { CredentialFields } from '../components/CredentialFields';
import { useState, type FormEvent } from 'react';
import { messageOf } from '../bridge';
import { signIn } from '../services/account';
import { useConsole } from '../store';
import { t } from '../i18n';

export function SignInScreen() {
  const defaultServer = useConsole((s) => s.appInfo?.defaultServerUrl ?? '');
  const signedOutReason = useConsole((s) => s.signedOutReason);
  const [serverUrl, setServerUrl] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ serverUrl: serverUrl ?? defaultServer, username, password, ...(totp ? { totp } : {}) });
    } catch (err) {
      setError(messageOf(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t.signIn.title}</h1>
      <p className="muted">{t.signIn.lead}</p>
      {signedOutReason && (
        <p className="banner info" role="status">
          {signedOutReason}
        </p>
      )}
      <form onSubmit={(e) => void onSubmit(e)} className="form">
        <label>
          {t.signIn.server}
          <input
            name="serverUrl"
            type="url"
            required
            value={serverUrl ?? defaultServer}
            onChange={(e) => setServerUrl(e.target.value)}
            placeholder={t.signIn.serverPlaceholder}
            autoComplete="url"
          />
        </label>
        <label>
          {t.signIn.username}
          <input name="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
        </label>
        <CredentialFields password={password} onPassword={setPassword} totp={totp} onTotp={setTotp} totpRequired />
        <ErrorBanner message={error} />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t.signIn.signingIn : t.signIn.submit}
        </button>
      </form>
    </section>
  );
}
