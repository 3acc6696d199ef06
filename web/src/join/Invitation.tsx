// /invitation?token=…: the invited person sees where they are invited, chooses
// their password and is signed in.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { joinApi, type InvitationView } from '../api/join';
import { Notice } from '../components/Notice';
import { usePageTitle } from '../hooks';
import { t, tMaybe } from '../i18n';
import { Link } from '../router';
import { rememberTenant } from '../session';
import type { Session } from '../types';
import { PasswordFields, passwordProblem } from './PasswordFields';

/** InvitationPage accepts an invitation. */
export function InvitationPage({ token, onSignedIn }: { token: string; onSignedIn: (s: Session) => void }) {
  usePageTitle('invite.title');
  const [view, setView] = useState<InvitationView | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    joinApi.viewInvitation(token).then((v) => {
      setView(v);
      setName(v.name);
    }, (err) => setError(errorMessage(err)));
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const bad = passwordProblem(password, repeat);
    if (bad) return setError(bad);
    setBusy(true);
    setError('');
    try {
      const s = await joinApi.acceptInvitation(token, name.trim(), password);
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
      <div class="auth-card" data-testid="invitation-page">
        <p class="auth-brand">{t('app.name')}</p>
        <h1>{t('invite.title')}</h1>
        {view && (
          <form onSubmit={submit} data-testid="invitation-form">
            <p class="muted" data-testid="invitation-intro">
              {t('invite.intro', { workspace: view.workspace, role: tMaybe(`role.${view.role}`, view.role), email: view.email })}
            </p>
            <div class="field">
              <label for="invite-name">{t('invite.yourName')}</label>
              <input id="invite-name" required autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
            <PasswordFields password={password} repeat={repeat} onPassword={setPassword} onRepeat={setRepeat} />
            <Notice kind="error" testId="invitation-error">{error}</Notice>
            <button type="submit" class="button button-primary button-wide" disabled={busy} data-testid="invitation-submit">
              {busy ? t('common.working') : t('invite.join')}
            </button>
          </form>
        )}
        {!view && <Notice kind="error" testId="invitation-error">{error}</Notice>}
        <p class="auth-footer">
          <Link href="/login">{t('reset.backToLogin')}</Link>
        </p>
      </div>
    </main>
  );
}
