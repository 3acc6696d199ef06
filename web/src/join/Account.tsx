// /account: the signed-in user's own security — their second factor (set up
// with a QR code, confirmed with a code, recovery codes shown once) and the
// browsers signed in as them, each of which they can sign out. When the
// workspace requires a second factor the user lacks, the app shows only this.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { joinApi, type Enrolment, type SessionInfo, type TOTPStatus } from '../api/join';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { usePageTitle } from '../hooks';
import { formatDateTime, t } from '../i18n';
import { useSession } from '../session';
import { DeskPush } from '../swarm/DeskPush';

/** AccountPage is /account; forced shows it as the only page, until a second factor is set up. */
export function AccountPage({ forced = false, onEnrolled }: { forced?: boolean; onEnrolled?: () => void }) {
  usePageTitle('account.title');
  return (
    <div class="page" data-testid="account-page">
      <header class="page-header">
        <PageHeading>{t('account.title')}</PageHeading>
        {forced && <Notice kind="info" testId="totp-required">{t('account.required')}</Notice>}
      </header>
      <SecondFactor onEnrolled={onEnrolled} />
      {!forced && <Sessions />}
      {!forced && <DeskPush />}
    </div>
  );
}

function SecondFactor({ onEnrolled }: { onEnrolled?: () => void }) {
  const [status, setStatus] = useState<TOTPStatus | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[]>([]);
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => joinApi.totp().then(setStatus, (err) => setError(errorMessage(err))), []);
  useEffect(() => void load(), [load]);

  const run = async (fn: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const start = () => run(async () => setEnrolment(await joinApi.startTotp()));
  const confirm = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const res = await joinApi.confirmTotp(code.trim());
      setCodes(res.recovery_codes);
      setEnrolment(null);
      setCode('');
      await load();
    });
  };
  const remove = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await joinApi.removeTotp(password);
      setPassword('');
      setCodes([]);
      await load();
    });
  };

  return (
    <section class="card" aria-labelledby="totp-heading" data-testid="totp-section">
      <h2 id="totp-heading">{t('account.totp')}</h2>
      <p class="muted">{t('account.totpIntro')}</p>
      {codes.length > 0 && (
        <div data-testid="recovery-codes">
          <Notice kind="success">{t('account.totpOn')}</Notice>
          <p>{t('account.recoveryIntro')}</p>
          <ul class="recovery-codes">
            {codes.map((c) => <li key={c}><code>{c}</code></li>)}
          </ul>
          {onEnrolled && (
            <button type="button" class="button button-primary" onClick={onEnrolled} data-testid="totp-continue">
              {t('account.continue')}
            </button>
          )}
        </div>
      )}
      {status && !status.enrolled && !enrolment && (
        <button type="button" class="button button-primary" onClick={start} disabled={busy} data-testid="totp-start">
          {t('account.totpStart')}
        </button>
      )}
      {enrolment && (
        <form onSubmit={confirm} data-testid="totp-enrol">
          <p>{t('account.scan')}</p>
          <img src={enrolment.qr_png} width={240} height={240} alt={t('account.qrAlt')} />
          <p>{t('account.orType')} <code data-testid="totp-secret">{enrolment.secret}</code></p>
          <div class="field">
            <label for="totp-code">{t('account.code')}</label>
            <input id="totp-code" inputMode="numeric" autoComplete="one-time-code" required value={code}
              onInput={(e) => setCode(e.currentTarget.value)} />
          </div>
          <button type="submit" class="button button-primary" disabled={busy} data-testid="totp-confirm">{t('account.confirm')}</button>
        </form>
      )}
      {status?.enrolled && codes.length === 0 && (
        <form onSubmit={remove} data-testid="totp-on">
          <p>{t('account.totpOnLeft', { n: status.recovery_codes_left })}</p>
          {!status.required && (
            <>
              <div class="field">
                <label for="totp-remove-password">{t('account.passwordToRemove')}</label>
                <input id="totp-remove-password" type="password" autoComplete="current-password" required value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)} />
              </div>
              <button type="submit" class="button" disabled={busy}>{t('account.remove')}</button>
            </>
          )}
        </form>
      )}
      <Notice kind="error" testId="totp-error">{error}</Notice>
    </section>
  );
}

function Sessions() {
  const { session } = useSession();
  const [items, setItems] = useState<SessionInfo[]>([]);
  const [error, setError] = useState('');
  const load = useCallback(
    () => joinApi.sessions(session.user.id).then((r) => setItems(r.items), (err) => setError(errorMessage(err))),
    [session.user.id],
  );
  useEffect(() => void load(), [load]);
  const revoke = async (id: string) => {
    try {
      await joinApi.revokeSession(session.user.id, id);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section class="card" aria-labelledby="sessions-heading" data-testid="sessions-section">
      <h2 id="sessions-heading">{t('account.sessions')}</h2>
      <p class="muted">{t('account.sessionsIntro')}</p>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('account.browser')}</th>
            <th scope="col">{t('account.lastSeen')}</th>
            <th scope="col"><span class="visually-hidden">{t('account.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-testid="session-row">
              <td>{s.user_agent || t('account.unknownBrowser')}{s.current && <strong> {t('account.thisOne')}</strong>}</td>
              <td>{formatDateTime(s.last_seen_at)}</td>
              <td>
                {!s.current && (
                  <button type="button" class="button" onClick={() => void revoke(s.id)} data-testid="session-revoke">
                    {t('account.signOutThere')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Notice kind="error">{error}</Notice>
    </section>
  );
}
