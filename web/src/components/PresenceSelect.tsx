import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { t } from '../i18n';
import { useSession } from '../session';
import { PRESENCES, type Presence } from '../types';

/** PresenceSelect lets the agent set their availability; other tabs follow via the realtime feed. */
export function PresenceSelect() {
  const { session, updateUser } = useSession();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const current = session.user.presence;

  const change = async (next: Presence) => {
    const before = session.user;
    updateUser({ ...before, presence: next }); // show the choice at once
    setSaving(true);
    setError('');
    try {
      updateUser(await api.setPresence(next));
    } catch (err) {
      updateUser(before);
      setError(t('topbar.presenceFailed', { detail: errorMessage(err) }));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="presence">
      <span class={`presence-dot presence-${current}`} aria-hidden="true" />
      <label class="visually-hidden" for="presence-select">
        {t('topbar.presence')}
      </label>
      <select
        id="presence-select"
        data-testid="presence-select"
        value={current}
        aria-busy={saving}
        title={error || undefined}
        onChange={(e) => void change(e.currentTarget.value as Presence)}
      >
        {PRESENCES.map((p) => (
          <option key={p} value={p}>
            {t(`presence.${p}`)}
          </option>
        ))}
      </select>
      {error && (
        <span role="alert" class="visually-hidden">
          {error}
        </span>
      )}
    </div>
  );
}
