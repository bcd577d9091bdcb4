import { t } from '../i18n';

/**
 * The password and authenticator-code fields, as the sign-in screen and the lock screen both
 * ask for them, so the two never drift apart in what they accept or how a password manager
 * and a screen reader see them.
 */
interface Props {
  password: string;
  onPassword(value: string): void;
  totp: string;
  onTotp(value: string): void;
  /** Sign-in always asks for the code; unlocking asks only where the account has one. */
  totpRequired: boolean;
  /** On the lock screen the password is the one thing to type, so it takes the focus. */
  focusPassword?: boolean;
}

export function CredentialFields({ password, onPassword, totp, onTotp, totpRequired, focusPassword = false }: Props) {
  return (
    <>
      <label>
        {t.signIn.password}
        <input
          name="password"
          type="password"
          required
          autoFocus={focusPassword}
          value={password}
          onChange={(e) => onPassword(e.target.value)}
          autoComplete="current-password"
        />
      </label>
      <label>
        {t.signIn.totp}
        <input
          name="totp"
          required={totpRequired}
          inputMode="numeric"
          pattern="[0-9]{6}"
          value={totp}
          onChange={(e) => onTotp(e.target.value)}
          autoComplete="one-time-code"
        />
      </label>
    </>
  );
}
