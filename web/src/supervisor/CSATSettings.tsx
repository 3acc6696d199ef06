// The satisfaction survey section of Admin → Notification settings: on or
// off, the channels, the delay of surveys sent by email and SMS, and the
// wording. Supervisors read it; admins change it.
//
// Test ids: csat-settings, csat-enabled, csat-channel-<channel>, csat-delay,
// csat-question, csat-comment-prompt, csat-thanks, csat-save, csat-saved,
// csat-error.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { CSAT_CHANNELS, csatApi, type CSATSettings as Settings } from '../api/csat';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { useSession } from '../session';
import { Field, fieldError, num, Problem } from '../components/admin/form';

/** CSATSettings is the survey's form. */
export function CSATSettings() {
  const admin = useSession().session.user.role === 'admin';
  const [s, setS] = useState<Settings | null>(null);
  const [minutes, setMinutes] = useState('');
  const [loadError, setLoadError] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  const show = (v: Settings) => {
    setS(v);
    setMinutes(String(Math.round(v.delay_seconds / 60)));
  };
  useEffect(() => {
    csatApi.settings().then(show, (err) => setLoadError(errorMessage(err)));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !s) return;
    setBusy(true);
    setError(null);
    setSaved('');
    try {
      show(await csatApi.setSettings({ ...s, delay_seconds: num(minutes) * 60 }));
      setSaved(t('csat.saved'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const text = (id: string, field: 'question' | 'comment_prompt' | 'thanks', label: Parameters<typeof t>[0], hint?: Parameters<typeof t>[0]) => (
    <Field id={id} label={t(label)} hint={hint && t(hint)} error={fieldError(error, field)}>
      <input id={id} aria-describedby={hint && `${id}-hint`} maxLength={300} required value={s?.[field] ?? ''} disabled={!admin}
        onInput={(e) => s && setS({ ...s, [field]: e.currentTarget.value })} data-testid={id} />
    </Field>
  );

  return (
    <section class="panel" aria-labelledby="csat-title" data-testid="csat-settings">
      <div class="panel-header">
        <h2 id="csat-title">{t('csat.title')}</h2>
      </div>
      <p class="muted">{t('csat.intro')}</p>
      <Notice kind="error">{loadError}</Notice>
      {s && (
        <form onSubmit={submit}>
          <label class="checkbox">
            <input type="checkbox" checked={s.enabled} disabled={!admin} onChange={(e) => setS({ ...s, enabled: e.currentTarget.checked })} data-testid="csat-enabled" />
            <span>{t('csat.enabled')}</span>
          </label>
          <fieldset>
            <legend>{t('csat.channels')}</legend>
            {CSAT_CHANNELS.map((c) => (
              <label class="checkbox" key={c}>
                <input type="checkbox" checked={s.channels.includes(c)} disabled={!admin} data-testid={`csat-channel-${c}`}
                  onChange={(e) => setS({ ...s, channels: e.currentTarget.checked ? [...s.channels, c] : s.channels.filter((x) => x !== c) })} />
                <span>{t(`csat.channel.${c}`)}</span>
              </label>
            ))}
          </fieldset>
          <Field id="csat-delay" label={t('csat.delay')} hint={t('csat.delayHint')} error={fieldError(error, 'delay_seconds')}>
            <input id="csat-delay" aria-describedby="csat-delay-hint" type="number" min={0} max={10080} value={minutes} disabled={!admin}
              onInput={(e) => setMinutes(e.currentTarget.value)} data-testid="csat-delay" />
          </Field>
          {text('csat-question', 'question', 'csat.question', 'csat.questionHint')}
          {text('csat-comment-prompt', 'comment_prompt', 'csat.commentPrompt')}
          {text('csat-thanks', 'thanks', 'csat.thanks')}
          {error ? <Problem error={error} testId="csat-error" /> : null}
          <Notice kind="success" testId="csat-saved">{saved}</Notice>
          <div class="form-actions">
            {admin ? (
              <button type="submit" class="button" disabled={busy} data-testid="csat-save">{t('csat.save')}</button>
            ) : (
              <p class="muted">{t('csat.adminOnly')}</p>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
