import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorMessage } from '../api';
import { joinApi } from '../api/join';
import { Notice } from '../components/Notice';
import { usePageTitle } from '../hooks';
import { t } from '../i18n';
import { Link } from '../router';
import { rememberedTenant, rememberTenant } from '../session';
import type { Session } from '../types';

interface Props {
  onSignedIn: (s: Session) => void;
  /** notice is shown above the form, e.g. after signing out. */
  notice?: string;
}

/** LoginPage signs a user in to one workspace (tenant). */
export function LoginPage({ onSignedIn, notice }: Props) {
  usePageTitle('login.title');
  const [tenant, setTenant] = useState(() => new URLSearchParams(location.search).get('tenant') ?? rememberedTenant());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // needCode: the password was right and the user has a second factor.
  const [needCode, setNeedCode] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // signupOpen: the center takes sign-ups, so the page offers one.
  const [signupOpen, setSignupOpen] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    joinApi.signupMode().then((m) => setSignupOpen(m.mode !== 'off'), () => setSignupOpen(false));
  }, []);

  useEffect(() => {
    (tenant ? emailInput : first).current?.focus();
    // Only on first render: later the user decides where focus goes.
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const session = await api.login(tenant.trim(), email.trim(), password, needCode ? code.trim() : undefined);
      rememberTenant(tenant.trim());
      onSignedIn(session);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'second-factor-needed') {
        setNeedCode(true);
        return;
      }
      setError(err instanceof ApiError ? err.message || t('login.failed') : errorMessage(err));
      if (needCode && err instanceof ApiError && err.kind === 'bad-second-factor') setCode('');
      else setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth-page">
      <div class="auth-card">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('login.title')}</h1>
        <p class="muted">{t('login.subtitle')}</p>
        {notice && <Notice kind="info">{notice}</Notice>}
        <form onSubmit={submit} data-testid="login-form">
          <div class="field">
            <label for="login-tenant">{t('login.tenant')}</label>
            <input
              id="login-tenant"
              name="tenant"
              ref={first}
              required
              autoComplete="organization"
              autoCapitalize="none"
              spellcheck={false}
              aria-describedby="login-tenant-hint"
              value={tenant}
              onInput={(e) => setTenant(e.currentTarget.value)}
            />
            <p id="login-tenant-hint" class="hint">
              {t('login.tenantHint')}
            </p>
          </div>
          <div class="field">
            <label for="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              name="email"
              type="email"
              ref={emailInput}
              required
              autoComplete="username"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              required
              autoComplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          {needCode && (
            <div class="field">
              <label for="login-code">{t('login.code')}</label>
              <input
                id="login-code"
                name="code"
                required
                autoFocus
                inputMode="numeric"
                autoComplete="one-time-code"
                aria-describedby="login-code-hint"
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
              <p id="login-code-hint" class="hint">
                {t('login.codeHint')}
              </p>
            </div>
          )}
          <Notice kind="error" testId="login-error">
            {error}
          </Notice>
          <button type="submit" class="button button-primary button-wide" disabled={busy} data-testid="login-submit">
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p class="auth-footer">
          <Link href="/reset-password">{t('login.forgot')}</Link>
        </p>
        {signupOpen && (
          <p class="auth-footer">
            <Link href="/signup" data-testid="login-signup">{t('login.signup')}</Link>
          </p>
        )}
      </div>
    </main>
  );
}
