// PublisherToggle grants or takes back "knowledge publisher" (validate and
// publish articles) for one user on the admin's people page. Admins and
// supervisors always publish, so their box is ticked and fixed.
//
// Test ids: kb-publisher (data-email, data-always).
import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { knowledgeApi } from '../api/knowledge';
import { t } from '../i18n';
import type { User } from '../types';

/** PublisherToggle is the checkbox in the people table's row of user. */
export function PublisherToggle({ user, onError }: { user: User; onError: (e: string) => void }) {
  const always = user.role === 'admin' || user.role === 'supervisor';
  const [on, setOn] = useState(always || user.knowledge_publisher === true);
  const [busy, setBusy] = useState(false);
  const change = async (want: boolean) => {
    // The box shows the new value at once and goes back if the server refuses.
    setOn(want);
    setBusy(true);
    onError('');
    try {
      const saved = (await knowledgeApi.setPublisher(user.id, want)) as Partial<User> | undefined;
      setOn(saved?.knowledge_publisher ?? want);
    } catch (err) {
      setOn(!want);
      onError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <label class="checkbox" title={always ? t('kb.publisherAlways') : undefined}>
      <input type="checkbox" checked={on} disabled={always || busy} data-testid="kb-publisher" data-email={user.email}
        data-always={always ? 'true' : 'false'} onChange={(e) => void change(e.currentTarget.checked)} />
      <span class="visually-hidden">{t('kb.publisherFor', { name: user.name })}</span>
      {always && <span class="muted small">{t('kb.publisherAlwaysShort')}</span>}
    </label>
  );
}
