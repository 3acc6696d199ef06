// The call recording section of Admin → Workspace data: the policy (off,
// always with an announcement, ask the customer) and the retention in days.
// Supervisors read it; admins change it.
//
// Test ids: recording-settings, recording-mode, recording-retention,
// recording-save, recording-saved, recording-error.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { recordingApi, type RecordingMode } from '../api/recording';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { useSession } from '../session';
import { Field, fieldError, num, Problem } from '../components/admin/form';

const MODES: RecordingMode[] = ['off', 'announce', 'ask'];

/** RecordingSettings is the policy's form. */
export function RecordingSettings() {
  const admin = useSession().session.user.role === 'admin';
  const [mode, setMode] = useState<RecordingMode>('off');
  const [days, setDays] = useState('90');
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    recordingApi.policy().then(
      (p) => {
        setMode(p.mode);
        setDays(String(p.retention_days));
      },
      (err) => setLoadError(errorMessage(err)),
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setSaved('');
    try {
      const p = await recordingApi.setPolicy({ mode, retention_days: num(days) });
      setMode(p.mode);
      setDays(String(p.retention_days));
      setSaved(t('recording.saved'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="recording-title" data-testid="recording-settings">
      <div class="panel-header">
        <h2 id="recording-title">{t('recording.title')}</h2>
      </div>
      <p class="muted">{t('recording.intro')}</p>
      <Notice kind="error">{loadError}</Notice>
      <form onSubmit={submit}>
        <Field id="recording-mode" label={t('recording.mode')} hint={t('recording.modeHint')} error={fieldError(error, 'mode')}>
          <select id="recording-mode" aria-describedby="recording-mode-hint" value={mode} disabled={!admin}
            onChange={(e) => setMode(e.currentTarget.value as RecordingMode)} data-testid="recording-mode">
            {MODES.map((m) => <option key={m} value={m}>{t(`recording.mode.${m}`)}</option>)}
          </select>
        </Field>
        <Field id="recording-retention" label={t('recording.retention')} hint={t('recording.retentionHint')} error={fieldError(error, 'retention_days')}>
          <input id="recording-retention" aria-describedby="recording-retention-hint" type="number" min={1} max={3650} value={days} disabled={!admin}
            onInput={(e) => setDays(e.currentTarget.value)} data-testid="recording-retention" />
        </Field>
        {error ? <Problem error={error} testId="recording-error" /> : null}
        <Notice kind="success" testId="recording-saved">{saved}</Notice>
        <div class="form-actions">
          {admin ? (
            <button type="submit" class="button" disabled={busy} data-testid="recording-save">{t('recording.save')}</button>
          ) : (
            <p class="muted">{t('recording.adminOnly')}</p>
          )}
        </div>
      </form>
    </section>
  );
}
