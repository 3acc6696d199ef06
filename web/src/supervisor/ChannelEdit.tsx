// Editing a channel account on /admin/channels: its name and the settings the
// channel's form offers (a widget's title, greeting, allowed origins, pre-chat
// fields, offline mode, end-of-chat message). The address stays: a widget's
// key is in every page that embeds it. A secret shows as its mask and is sent
// only when replaced; a cleared setting is removed.
//
// Test ids: channel-edit-form, channel-edit-name, channel-edit-<setting>,
// channel-edit-save, channel-edit-error.
import { useState } from 'preact/hooks';
import { supervisorApi, type ChannelAccount } from '../api/supervisor';
import { useIdempotencyKey } from '../hooks';
import { t } from '../i18n';
import { SETTINGS } from './Channels';
import { Field, fieldError, Problem, useFocusOnOpen } from '../components/admin/form';

interface Props {
  account: ChannelAccount;
  onCancel: () => void;
  onSaved: (a: ChannelAccount) => void;
}

/** ChannelEditForm edits one account in place and hands back the saved one. */
export function ChannelEditForm({ account, onCancel, onSaved }: Props) {
  const idem = useIdempotencyKey();
  const fields = SETTINGS[account.channel] ?? [];
  const [name, setName] = useState(account.name);
  const [settings, setSettings] = useState<Record<string, string>>(() => ({ ...account.settings }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  const id = (key: string) => `edit-${account.id}-${key}`;
  useFocusOnOpen(id('name'));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    // Only what changed: a secret left as its mask is not sent back.
    const changed: Record<string, string> = {};
    for (const f of fields) {
      const before = account.settings[f.key] ?? '';
      const now = (settings[f.key] ?? '').trim();
      if (now !== before) changed[f.key] = now;
    }
    const body = { ...(name.trim() !== account.name ? { name: name.trim() } : {}), settings: changed };
    try {
      const saved = await supervisorApi.updateChannelAccount(account.id, body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="channel-edit-form">
      <div class="admin-grid">
        <Field id={id('name')} label={t('admin.name')} hint={t('admin.channels.nameHint')} error={fe('name')}>
          <input id={id('name')} value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby={`${id('name')}-hint`} data-testid="channel-edit-name" />
        </Field>
        {fields.map((f) =>
          f.bool ? (
            <div class="field" key={f.key}>
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={settings[f.key] === 'true'}
                  onChange={(e) => setSettings({ ...settings, [f.key]: e.currentTarget.checked ? 'true' : '' })}
                  data-testid={`channel-edit-${f.key}`}
                />
                <span>{t(f.label)}</span>
              </label>
            </div>
          ) : (
            <Field key={f.key} id={id(f.key)} label={t(f.label)} hint={f.hint ? t(f.hint) : undefined} error={fe(`settings.${f.key}`)}>
              {f.secret ? (
                <input
                  id={id(f.key)}
                  type="password"
                  autoComplete="off"
                  value={settings[f.key] ?? ''}
                  onInput={(e) => setSettings({ ...settings, [f.key]: e.currentTarget.value })}
                  aria-describedby={`${id(f.key)}-hint`}
                  data-testid={`channel-edit-${f.key}`}
                />
              ) : (
                <input
                  id={id(f.key)}
                  type="text"
                  autoComplete="off"
                  value={settings[f.key] ?? ''}
                  onInput={(e) => setSettings({ ...settings, [f.key]: e.currentTarget.value })}
                  aria-describedby={`${id(f.key)}-hint`}
                  data-testid={`channel-edit-${f.key}`}
                />
              )}
            </Field>
          ),
        )}
      </div>
      <Problem error={error} testId="channel-edit-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="channel-edit-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
