// The new-password pair shared by sign-up, invitations and resets' kin.
import { t } from '../i18n';

/** MIN_PASSWORD matches the server's rule, checked here only to save a round trip. */
export const MIN_PASSWORD = 10;

interface Props {
  password: string;
  repeat: string;
  onPassword: (v: string) => void;
  onRepeat: (v: string) => void;
}

/** PasswordFields asks for a new password twice. */
export function PasswordFields({ password, repeat, onPassword, onRepeat }: Props) {
  return (
    <>
      <div class="field">
        <label for="new-password">{t('reset.newPassword')}</label>
        <input id="new-password" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password"
          aria-describedby="new-password-hint" value={password} onInput={(e) => onPassword(e.currentTarget.value)} />
        <p id="new-password-hint" class="hint">{t('reset.passwordHint', { min: MIN_PASSWORD })}</p>
      </div>
      <div class="field">
        <label for="new-password-repeat">{t('reset.confirmPassword')}</label>
        <input id="new-password-repeat" type="password" required autoComplete="new-password" value={repeat}
          onInput={(e) => onRepeat(e.currentTarget.value)} />
      </div>
    </>
  );
}

/** passwordProblem says what is wrong with a new password pair, or ''. */
export function passwordProblem(password: string, repeat: string): string {
  if (password.length < MIN_PASSWORD) return t('reset.tooShort', { min: MIN_PASSWORD });
  if (password !== repeat) return t('reset.mismatch');
  return '';
}
