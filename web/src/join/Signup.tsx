// /signup: a business asks for its own workspace; a link mailed to its first
// admin confirms the address, and /signup/verify makes the workspace.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { joinApi, type PendingSignup, type SignupMode } from '../api/join';
import { Notice } from '../components/Notice';
import { usePageTitle } from '../hooks';
import { t } from '../i18n';
import { Link } from '../router';
import { rememberTenant } from '../session';
import type { Session } from '../types';
import { PasswordFields, passwordProblem } from './PasswordFields';

/** SignupPage is the public sign-up form. */
export function SignupPage() {
  usePageTitle('signup.title');
  const [mode, setMode] = useState<SignupMode | ''>('');
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const [email, setEmail] = useState('');
  const [code, setCode] = useState(() => new URLSearchParams(location.search).get('code') ?? '');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    joinApi.signupMode().then((m) => setMode(m.mode), (err) => setError(err));
  }, []);

  const onName = (v: string) => {
    setName(v);
    if (!slugTouched) setSlug(suggestSlug(v));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await joinApi.signup({ name: name.trim(), slug: slug.trim(), email: email.trim(), ...(mode === 'invite' ? { code: code.trim() } : {}) });
      setSentTo(email.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fe = (f: string) => (error instanceof ApiError ? error.fieldError(f) : undefined);
  return (
    <main id="main" class="auth-page">
      <div class="auth-card" data-testid="signup-page">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('signup.title')}</h1>
        {mode === 'off' && <Notice kind="info" testId="signup-off">{t('signup.off')}</Notice>}
        {sentTo && <Notice kind="success" testId="signup-sent">{t('signup.sent', { email: sentTo })}</Notice>}
        {(mode === 'open' || mode === 'invite') && !sentTo && (
          <form onSubmit={submit} data-testid="signup-form" noValidate>
            <p class="muted">{t('signup.intro')}</p>
            <div class="field">
              <label for="signup-name">{t('signup.name')}</label>
              <input id="signup-name" required autoComplete="organization" value={name} aria-invalid={!!fe('name')}
                onInput={(e) => onName(e.currentTarget.value)} />
              {fe('name') && <p class="field-error" role="alert">{fe('name')}</p>}
            </div>
            <div class="field">
              <label for="signup-slug">{t('signup.slug')}</label>
              <input id="signup-slug" required autoCapitalize="none" spellcheck={false} value={slug} aria-invalid={!!fe('slug')}
                aria-describedby="signup-slug-hint"
                onInput={(e) => { setSlug(e.currentTarget.value); setSlugTouched(true); }} />
              <p id="signup-slug-hint" class="hint">{t('signup.slugHint')}</p>
              {fe('slug') && <p class="field-error" role="alert" data-testid="signup-slug-error">{fe('slug')}</p>}
            </div>
            <div class="field">
              <label for="signup-email">{t('signup.email')}</label>
              <input id="signup-email" type="email" required autoComplete="email" value={email} aria-invalid={!!fe('email')}
                onInput={(e) => setEmail(e.currentTarget.value)} />
              {fe('email') && <p class="field-error" role="alert">{fe('email')}</p>}
            </div>
            {mode === 'invite' && (
              <div class="field">
                <label for="signup-code">{t('signup.code')}</label>
                <input id="signup-code" required autoCapitalize="none" spellcheck={false} value={code} aria-invalid={!!fe('code')}
                  onInput={(e) => setCode(e.currentTarget.value)} />
                {fe('code') && <p class="field-error" role="alert">{fe('code')}</p>}
              </div>
            )}
            <Notice kind="error" testId="signup-error">
              {error && !(error instanceof ApiError && error.fieldErrors.length) ? errorMessage(error) : ''}
            </Notice>
            <button type="submit" class="button button-primary button-wide" disabled={busy} data-testid="signup-submit">
              {busy ? t('common.working') : t('signup.submit')}
            </button>
          </form>
        )}
        <p class="auth-footer">
          <Link href="/login">{t('signup.haveOne')}</Link>
        </p>
      </div>
    </main>
  );
}

/** suggestSlug turns a business's name into a workspace address to start from. */
function suggestSlug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** SignupVerifyPage is where the mailed link lands: the admin chooses a password and the workspace is made. */
export function SignupVerifyPage({ token, onSignedIn }: { token: string; onSignedIn: (s: Session) => void }) {
  usePageTitle('signup.verifyTitle');
  const [pending, setPending] = useState<PendingSignup | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    joinApi.verifySignup(token).then(setPending, (err) => setError(errorMessage(err)));
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const bad = passwordProblem(password, repeat);
    if (bad) return setError(bad);
    setBusy(true);
    setError('');
    try {
      const s = await joinApi.completeSignup(token, name.trim(), password);
      rememberTenant(s.tenant.slug);
      onSignedIn(s);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="auth-page">
      <div class="auth-card" data-testid="signup-verify">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('signup.verifyTitle')}</h1>
        {pending && (
          <form onSubmit={submit} data-testid="signup-verify-form">
            <p class="muted" data-testid="signup-verify-intro">
              {t('signup.verifyIntro', { name: pending.name, slug: pending.slug, email: pending.email })}
            </p>
            <div class="field">
              <label for="signup-admin-name">{t('signup.adminName')}</label>
              <input id="signup-admin-name" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
            <PasswordFields password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
            <Notice kind="error" testId="signup-verify-error">{error}</Notice>
            <button type="submit" class="button button-primary button-wide" disabled={busy} data-testid="signup-verify-submit">
              {busy ? t('common.working') : t('signup.create')}
            </button>
          </form>
        )}
        {!pending && <Notice kind="error" testId="signup-verify-error">{error}</Notice>}
        <p class="auth-footer">
          <Link href="/login">{t('reset.backToLogin')}</Link>
        </p>
      </div>
    </main>
  );
}
