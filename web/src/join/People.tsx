// /admin/people: invite people by email with a role, see who has not joined
// yet (resend, revoke), and require a second factor for everyone.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { joinApi, type Invitation, type Role, type SentInvitation } from '../api/join';
import { Notice } from '../components/Notice';
import { formatDateTime, t, tMaybe } from '../i18n';
import { AdminPage } from '../supervisor/AdminNav';
import { supervisorApi } from '../api/supervisor';
import type { User } from '../types';
import { PublisherToggle } from '../knowledge/PublisherToggle';

const ROLES: Role[] = ['agent', 'supervisor', 'expert', 'admin'];

/** InviteForm invites one person; the wizard uses it too. */
export function InviteForm({ onSent }: { onSent: (s: SentInvitation) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const sent = await joinApi.invite({ email: email.trim(), name: name.trim(), role });
      setEmail('');
      setName('');
      onSent(sent);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-testid="invite-form">
      <div class="field">
        <label for="invite-email">{t('people.email')}</label>
        <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="invite-person-name">{t('people.name')}</label>
        <input id="invite-person-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="invite-role">{t('people.role')}</label>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{tMaybe(`role.${r}`, r)}</option>)}
        </select>
      </div>
      <Notice kind="error" testId="invite-error">{error}</Notice>
      <button type="submit" class="button button-primary" disabled={busy} data-testid="invite-submit">
        {busy ? t('common.working') : t('people.invite')}
      </button>
    </form>
  );
}

/** SentNotice says an invitation went out, with its link when it could not be mailed. */
export function SentNotice({ sent }: { sent: SentInvitation }) {
  return (
    <Notice kind="success" testId="invite-sent">
      {sent.mailed ? t('people.mailed', { email: sent.email }) : t('people.notMailed', { email: sent.email })}
      {!sent.mailed && <code class="admin-snippet" data-testid="invite-link">{sent.link}</code>}
    </Notice>
  );
}

/** PeoplePage is /admin/people. */
export function PeoplePage() {
  const [items, setItems] = useState<Invitation[]>([]);
  const [sent, setSent] = useState<SentInvitation | null>(null);
  const [requireTotp, setRequireTotp] = useState<boolean | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => joinApi.invitations().then((p) => setItems(p.items), (err) => setError(errorMessage(err))), []);
  useEffect(() => {
    void load();
    joinApi.authPolicy().then((p) => setRequireTotp(p.require_totp), (err) => setError(errorMessage(err)));
  }, [load]);
  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
      await load();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <AdminPage title="people.title" intro="people.intro" testId="people-page">
      <section aria-labelledby="invite-heading">
        <h2 id="invite-heading">{t('people.inviteHeading')}</h2>
        <InviteForm onSent={(s) => { setSent(s); void load(); }} />
        {sent && <SentNotice sent={sent} />}
      </section>
      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading">{t('people.pending')}</h2>
        {items.length === 0 ? <p class="muted">{t('people.none')}</p> : (
          <table class="table" data-testid="invitations">
            <thead>
              <tr>
                <th scope="col">{t('people.email')}</th>
                <th scope="col">{t('people.role')}</th>
                <th scope="col">{t('people.expires')}</th>
                <th scope="col"><span class="visually-hidden">{t('account.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id} data-testid="invitation-row">
                  <td>{i.email}</td>
                  <td>{tMaybe(`role.${i.role}`, i.role)}</td>
                  <td>{formatDateTime(i.expires_at)}</td>
                  <td>
                    <button type="button" class="button" onClick={() => void act(async () => setSent(await joinApi.resendInvitation(i.id)))}>
                      {t('people.resend')}
                    </button>{' '}
                    <button type="button" class="button" onClick={() => void act(() => joinApi.revokeInvitation(i.id))} data-testid="invitation-revoke">
                      {t('people.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Team onError={setError} />
      <section aria-labelledby="policy-heading">
        <h2 id="policy-heading">{t('people.policy')}</h2>
        {requireTotp !== null && (
          <label>
            <input type="checkbox" checked={requireTotp} data-testid="require-totp"
              onChange={(e) => {
                const want = e.currentTarget.checked;
                void act(async () => setRequireTotp((await joinApi.setAuthPolicy(want)).require_totp));
              }} />{' '}
            {t('people.requireTotp')}
          </label>
        )}
      </section>
      <Notice kind="error" testId="people-error">{error}</Notice>
    </AdminPage>
  );
}

/** Team lists the workspace's people with what an admin can do for a lost laptop or phone. */
function Team({ onError }: { onError: (e: string) => void }) {
  const [users, setUsers] = useState<User[]>([]);
  const [done, setDone] = useState('');
  useEffect(() => {
    supervisorApi.users().then(setUsers, (err) => onError(errorMessage(err)));
  }, [onError]);
  const act = async (fn: () => Promise<void>, what: string) => {
    onError('');
    try {
      await fn();
      setDone(what);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  return (
    <section aria-labelledby="team-heading">
      <h2 id="team-heading">{t('people.team')}</h2>
      <table class="table" data-testid="team">
        <thead>
          <tr>
            <th scope="col">{t('people.name')}</th>
            <th scope="col">{t('people.email')}</th>
            <th scope="col">{t('people.role')}</th>
            <th scope="col">{t('kb.publisher')}</th>
            <th scope="col"><span class="visually-hidden">{t('account.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{tMaybe(`role.${u.role}`, u.role)}</td>
              <td><PublisherToggle user={u} onError={onError} /></td>
              <td>
                <button type="button" class="button"
                  onClick={() => void act(() => joinApi.revokeSessions(u.id), t('people.signedOut', { name: u.name }))}>
                  {t('people.signOutEverywhere')}
                </button>{' '}
                <button type="button" class="button"
                  onClick={() => void act(() => joinApi.removeUserTotp(u.id), t('people.totpRemoved', { name: u.name }))}>
                  {t('people.removeTotp')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Notice kind="success">{done}</Notice>
    </section>
  );
}
