// /admin/context-model: what the screen-pop's ranking has learned from the
// agents' opens, uses and dismissals — per feature its default, its weight
// now and a sentence — and a reset back to the defaults (audited).
//
// Test ids: cm-page, cm-summary, cm-row (data-feature), cm-reset.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { screenPopApi, type Learned } from '../api/screenpop';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { AdminPage } from './AdminNav';
import '../styles/screenpop.css';

/** ContextModelPage is /admin/context-model. */
export function ContextModelPage() {
  const [learned, setLearned] = useState<Learned | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  useEffect(() => {
    screenPopApi.model().then(setLearned, (err) => setError(errorMessage(err)));
  }, []);

  const reset = async () => {
    if (!confirm(t('cm.resetConfirm'))) return;
    setError('');
    try {
      setLearned(await screenPopApi.reset());
      setDone(t('cm.resetDone'));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <AdminPage title="cm.title" intro="cm.intro" testId="cm-page">
      <Notice kind="error">{error}</Notice>
      <Notice kind="success">{done}</Notice>
      {learned === null && !error && <p class="muted">{t('app.loading')}</p>}
      {learned && (
        <>
          <p data-testid="cm-summary">{learned.summary}</p>
          <table class="cm-table">
            <thead>
              <tr>
                <th>{t('cm.feature')}</th>
                <th>{t('cm.default')}</th>
                <th>{t('cm.weight')}</th>
                <th>{t('cm.meaning')}</th>
              </tr>
            </thead>
            <tbody>
              {learned.lessons.map((l) => (
                <tr key={l.feature} data-testid="cm-row" data-feature={l.feature}>
                  <td>{l.label}</td>
                  <td class="num">{l.default.toFixed(2)}</td>
                  <td class="num">{l.weight.toFixed(2)}</td>
                  <td>{l.words}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button type="button" class="button button-danger" data-testid="cm-reset" onClick={reset}>
              {t('cm.reset')}
            </button>
          </p>
        </>
      )}
    </AdminPage>
  );
}
