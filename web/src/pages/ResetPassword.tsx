import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { usePageTitle } from '../hooks';
import { t } from '../i18n';
import { Link } from '../router';
import { rememberedTenant } from '../session';

/** MIN_PASSWORD matches the server's rule, checked here only to save a round trip. */
const MIN_PASSWORD = 10;

/**
 * ResetPasswordPage has two steps on one address: without a token it asks for a
 * reset link; with ?token=… (the link from the email) it sets the new password.
 */
export function ResetPasswordPage({ token }: { token: string }) {
  return token ? <ConfirmReset token={token} /> : <RequestReset />;
}

function RequestReset() {
  usePageTitle('reset.requestTitle');
  const [tenant, setTenant] = useState(() => rememberedTenant());
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await api.requestPasswordReset(tenant.trim(), email.trim());
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth-page">
      <div class="auth-card">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('reset.requestTitle')}</h1>
        <Notice kind="success" testId="reset-sent">
          {sent ? t('reset.requestSent') : ''}
        </Notice>
        {!sent && (
          <form onSubmit={submit} data-testid="reset-request-form">
            <p class="muted">{t('reset.requestIntro')}</p>
            <div class="field">
              <label for="reset-tenant">{t('login.tenant')}</label>
              <input
                id="reset-tenant"
                required
                autoComplete="organization"
                autoCapitalize="none"
                spellcheck={false}
                value={tenant}
                onInput={(e) => setTenant(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="reset-email">{t('login.email')}</label>
              <input
                id="reset-email"
                type="email"
                required
                autoComplete="email"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <Notice kind="error" testId="reset-error">
              {error}
            </Notice>
            <button type="submit" class="button button-primary button-wide" disabled={busy}>
              {busy ? t('common.working') : t('reset.requestSubmit')}
            </button>
          </form>
        )}
        <p class="auth-footer">
          <Link href="/login">{t('reset.backToLogin')}</Link>
        </p>
      </div>
    </main>
  );
}

function ConfirmReset({ token }: { token: string }) {
  usePageTitle('reset.confirmTitle');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (password.length < MIN_PASSWORD) return setError(t('reset.tooShort', { min: MIN_PASSWORD }));
    if (password !== repeat) return setError(t('reset.mismatch'));
    setBusy(true);
    setError('');
    try {
      await api.confirmPasswordReset(token, password);
      setDone(true);
      // The token is spent; keep it out of the history and the address bar.
      history.replaceState(null, '', '/reset-password');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth-page">
      <div class="auth-card">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('reset.confirmTitle')}</h1>
        <Notice kind="success" testId="reset-done">
          {done ? t('reset.done') : ''}
        </Notice>
        {!done && (
          <form onSubmit={submit} data-testid="reset-confirm-form">
            <div class="field">
              <label for="reset-password">{t('reset.newPassword')}</label>
              <input
                id="reset-password"
                type="password"
                required
                minLength={MIN_PASSWORD}
                autoComplete="new-password"
                aria-describedby="reset-password-hint"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
              <p id="reset-password-hint" class="hint">
                {t('reset.passwordHint', { min: MIN_PASSWORD })}
              </p>
            </div>
            <div class="field">
              <label for="reset-repeat">{t('reset.confirmPassword')}</label>
              <input
                id="reset-repeat"
                type="password"
                required
                autoComplete="new-password"
                value={repeat}
                onInput={(e) => setRepeat(e.currentTarget.value)}
              />
            </div>
            <Notice kind="error" testId="reset-error">
              {error}
            </Notice>
            <button type="submit" class="button button-primary button-wide" disabled={busy}>
              {busy ? t('common.working') : t('reset.confirmSubmit')}
            </button>
          </form>
        )}
        <p class="auth-footer">
          <Link href="/login">{t('reset.backToLogin')}</Link>
        </p>
      </div>
    </main>
  );
}
