// /admin/channels: the tenant's addresses on channels — chat widgets with the
// snippet to embed, support mailboxes, SMS numbers with the webhook addresses
// to paste into the provider's console, Facebook Pages and Instagram accounts
// with the callback URL and verify token for the Meta app's webhook.
//
// Test ids: channels-page, channel-account (data-channel, data-address),
// widget-snippet, widget-snippet-copy, sms-inbound-url, sms-status-url,
// telegram-webhook-url,
// channel-delete, channel-form, channel-kind, channel-name, channel-address,
// channel-save, channel-error, widget-secret (the identity secret, once),
// meta-webhook-url.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { supervisorApi, type ChannelAccount, type ChannelAccountInput } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { SecretBox } from '../components/SecretBox';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe, type MessageKey } from '../i18n';
import { AdminPage } from './AdminNav';
import { ChannelEditForm } from './ChannelEdit';
import { ChannelHealthList } from '../components/ChannelHealthBanner';
import { Field, fieldError, useFocusOnOpen, Problem, useDelete, useLoaded, useReturnFocus, DeleteButton } from '../components/admin/form';

/** The settings of a Facebook Page or an Instagram account: the Meta app's credentials. */
const META_SETTINGS: { key: string; label: MessageKey; hint?: MessageKey; secret?: boolean; bool?: boolean }[] = [
  { key: 'page_access_token', label: 'admin.channels.s.pageToken', secret: true },
  { key: 'app_secret', label: 'admin.channels.s.appSecret', hint: 'admin.channels.s.appSecretHint', secret: true },
  { key: 'app_id', label: 'admin.channels.s.appId', hint: 'admin.channels.s.appIdHint' },
  { key: 'verify_token', label: 'admin.channels.s.verifyToken', hint: 'admin.channels.s.verifyTokenHint', secret: true },
  { key: 'human_agent', label: 'admin.channels.s.humanAgent', bool: true },
];

/** Settings a form offers per channel; the API keeps any others as they are. */
export const SETTINGS: Record<string, { key: string; label: MessageKey; hint?: MessageKey; secret?: boolean; bool?: boolean }[]> = {
  webchat: [
    { key: 'title', label: 'admin.channels.s.title' },
    { key: 'greeting', label: 'admin.channels.s.greeting' },
    { key: 'allowed_origins', label: 'admin.channels.s.allowedOrigins', hint: 'admin.channels.s.allowedOriginsHint' },
    { key: 'prechat_fields', label: 'admin.channels.s.prechat', hint: 'admin.channels.s.prechatHint' },
    { key: 'offline', label: 'admin.channels.s.offline', bool: true },
    { key: 'end_message', label: 'admin.channels.s.endMessage', hint: 'admin.channels.s.endMessageHint' },
  ],
  sms: [
    { key: 'provider', label: 'admin.channels.s.provider', hint: 'admin.channels.s.providerHint' },
    { key: 'account_sid', label: 'admin.channels.s.accountSid' },
    { key: 'auth_token', label: 'admin.channels.s.authToken', secret: true },
    { key: 'messaging_service_sid', label: 'admin.channels.s.messagingService', hint: 'admin.channels.s.messagingServiceHint' },
    { key: 'help_text', label: 'admin.channels.s.helpText', hint: 'admin.channels.s.helpTextHint' },
  ],
  messenger: META_SETTINGS,
  instagram: [...META_SETTINGS, { key: 'page_id', label: 'admin.channels.s.pageId', hint: 'admin.channels.s.pageIdHint' }],
  mastodon: [
    { key: 'instance_url', label: 'admin.channels.s.instanceUrl', hint: 'admin.channels.s.instanceUrlHint' },
    { key: 'access_token', label: 'admin.channels.s.accessToken', secret: true },
    { key: 'reply_visibility', label: 'admin.channels.s.replyVisibility', hint: 'admin.channels.s.replyVisibilityHint' },
  ],
  telegram: [{ key: 'bot_token', label: 'admin.channels.s.botToken', hint: 'admin.channels.s.botTokenHint', secret: true }],
};

/** NO_ADDRESS are channels whose address the center finds itself (a Telegram bot's id, from its token). */
const NO_ADDRESS = ['telegram'];

const ORDER = ['webchat', 'email', 'sms', 'telegram', 'messenger', 'instagram', 'mastodon'];

/** widgetSnippet is the script tag a business pastes into its site. */
export function widgetSnippet(origin: string, key: string): string {
  return `<script src="${origin}/widget/widget.js" data-switchboard-widget="${key}" async></script>`;
}

/** ChannelsPage is /admin/channels. */
export function ChannelsPage() {
  const accounts = useLoaded(supervisorApi.channelAccounts);
  const channels = useLoaded(supervisorApi.channels);
  const del = useDelete();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState('');
  const [created, setCreated] = useState<ChannelAccount | null>(null);
  useReturnFocus(adding, '[data-testid=channel-new]');

  const kinds = [...new Set([...ORDER.filter((c) => channels.items.some((x) => x.name === c)), ...accounts.items.map((a) => a.channel)])];

  return (
    <AdminPage title="admin.channels.title" intro="admin.channels.intro" testId="channels-page">
      <Notice kind="success">{del.notice}</Notice>
      <Notice kind="error">{del.error || accounts.error}</Notice>
      <ChannelHealthList />
      <section class="panel" aria-labelledby="channel-new-title">
        <div class="panel-header">
          <h2 id="channel-new-title">{t('admin.channels.new')}</h2>
          {!adding && (
            <button type="button" class="button button-primary" onClick={() => setAdding(true)} data-testid="channel-new">
              {t('admin.channels.add')}
            </button>
          )}
        </div>
        {created?.channel === 'webchat' && created.settings.identity_secret && (
          <>
            <SecretBox
              title={t('admin.channels.secretTitle')}
              intro={t('admin.channels.secretIntro')}
              value={created.settings.identity_secret}
              testId="widget-secret"
              onDone={() => setCreated(null)}
            />
            <UserHashHelp />
          </>
        )}
        {adding && (
          <ChannelForm
            channels={channels.items.map((c) => c.name)}
            onCancel={() => setAdding(false)}
            onCreated={(acc) => {
              accounts.setItems((items) => [...items, { ...acc, settings: masked(acc.settings) }]);
              setCreated(acc);
              setAdding(false);
            }}
          />
        )}
      </section>

      {kinds.map((kind) => {
        const list = accounts.items.filter((a) => a.channel === kind);
        return (
          <section key={kind} class="panel" aria-labelledby={`channel-${kind}-title`}>
            <h2 id={`channel-${kind}-title`}>{tMaybe(`admin.channels.kind.${kind}`, kind)}</h2>
            <p class="muted">{tMaybe(`admin.channels.about.${kind}`, '')}</p>
            {list.length === 0 && <p class="muted">{t('admin.channels.noneYet')}</p>}
            {list.map((a) => (
              <article key={a.id} class="admin-card" data-testid="channel-account" data-channel={a.channel} data-address={a.address}>
                <h3>
                  {a.name || a.address}
                  <code>{a.address}</code>
                </h3>
                {editing === a.id ? (
                  <ChannelEditForm
                    account={a}
                    onCancel={() => setEditing('')}
                    onSaved={(saved) => {
                      accounts.setItems((items) => items.map((x) => (x.id === saved.id ? saved : x)));
                      setEditing('');
                    }}
                  />
                ) : (
                  <AccountDetail account={a} />
                )}
                <div class="cell-actions">
                  {editing !== a.id && (
                    <button type="button" class="button button-small" onClick={() => setEditing(a.id)} data-testid="channel-edit"
                      aria-label={t('admin.channels.editNamed', { name: a.name || a.address })}>
                      {t('admin.channels.edit')}
                    </button>
                  )}
                  <DeleteButton
                    del={del}
                    id={a.id}
                    name={a.name || a.address}
                    testId="channel-delete"
                    question={t('admin.channels.deleteConfirm', { address: a.address })}
                    remove={() => supervisorApi.deleteChannelAccount(a.id)}
                    after={() => accounts.setItems((items) => items.filter((x) => x.id !== a.id))}
                  />
                </div>
              </article>
            ))}
          </section>
        );
      })}
      {del.element}
    </AdminPage>
  );
}

/** masked hides secret settings as the list answer does, after the creation answer showed them once. */
function masked(settings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) out[k] = /(token|secret|password)$/.test(k) ? `••••${v.slice(-4)}` : v;
  return out;
}

function Copy({ value, testId, label }: { value: string; testId: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" class="button button-small" onClick={() => void copy()} aria-label={`${t('common.copy')}: ${label}`} data-testid={testId}>
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

function AccountDetail({ account: a }: { account: ChannelAccount }) {
  const origin = location.origin;
  const settings = Object.entries(a.settings ?? {});
  if (a.channel === 'webchat') {
    const snippet = widgetSnippet(origin, a.address);
    return (
      <>
        <p class="small">{t('admin.channels.snippetIntro')}</p>
        <code class="admin-snippet" data-testid="widget-snippet">
          {snippet}
        </code>
        <Copy value={snippet} testId="widget-snippet-copy" label={t('admin.channels.snippet')} />
        <Settings channel={a.channel} settings={settings} />
      </>
    );
  }
  if (a.channel === 'sms') {
    const provider = a.settings.provider || 'twilio';
    const inbound = `${origin}/channels/sms/${provider}/inbound`;
    const status = `${origin}/channels/sms/${provider}/status`;
    return (
      <>
        <p class="small">{t('admin.channels.smsWebhooks')}</p>
        <dl class="admin-facts">
          <dt>{t('admin.channels.inboundUrl')}</dt>
          <dd>
            <code class="url" data-testid="sms-inbound-url">
              {inbound}
            </code>{' '}
            <Copy value={inbound} testId="sms-inbound-copy" label={t('admin.channels.inboundUrl')} />
          </dd>
          <dt>{t('admin.channels.statusUrl')}</dt>
          <dd>
            <code class="url" data-testid="sms-status-url">
              {status}
            </code>{' '}
            <Copy value={status} testId="sms-status-copy" label={t('admin.channels.statusUrl')} />
          </dd>
        </dl>
        <Settings channel={a.channel} settings={settings} />
      </>
    );
  }
  if (a.channel === 'telegram') {
    const hook = `${origin}/channels/telegram/${a.address}/updates`;
    return (
      <>
        <p class="small">{t('admin.channels.telegramWebhook')}</p>
        <dl class="admin-facts">
          <dt>{t('admin.channels.inboundUrl')}</dt>
          <dd>
            <code class="url" data-testid="telegram-webhook-url">
              {hook}
            </code>
          </dd>
        </dl>
        <Settings channel={a.channel} settings={settings} />
      </>
    );
  }
  if (a.channel === 'messenger' || a.channel === 'instagram') {
    const callback = `${origin}/channels/${a.channel}/webhook/${encodeURIComponent(a.address)}`;
    return (
      <>
        <dl class="admin-facts">
          <dt>{t('admin.channels.metaWebhook')}</dt>
          <dd>
            <code class="url" data-testid="meta-webhook-url">
              {callback}
            </code>{' '}
            <Copy value={callback} testId="meta-webhook-copy" label={t('admin.channels.metaWebhook')} />
          </dd>
        </dl>
        <Settings channel={a.channel} settings={settings} />
      </>
    );
  }
  if (a.channel === 'email') {
    const [local, domain] = a.address.split('@');
    return (
      <>
        <p class="small">{t('admin.channels.emailReply', { example: `${local}+<token>@${domain ?? ''}` })}</p>
        <Settings channel={a.channel} settings={settings} />
      </>
    );
  }
  return <Settings channel={a.channel} settings={settings} />;
}

function settingLabel(channel: string, key: string): string {
  if (key === 'identity_secret') return t('admin.channels.secretTitle');
  const known = SETTINGS[channel]?.find((f) => f.key === key);
  return known ? t(known.label) : key;
}

function Settings({ channel, settings }: { channel: string; settings: [string, string][] }) {
  if (settings.length === 0) return null;
  return (
    <dl class="admin-facts small">
      {settings.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{settingLabel(channel, k)}</dt>
          <dd>{v || t('common.none')}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function UserHashHelp() {
  return (
    <div class="admin-card">
      <h3>{t('admin.channels.userHashTitle')}</h3>
      <p class="small">{t('admin.channels.userHashIntro')}</p>
      <code class="admin-snippet">{"crypto.createHmac('sha256', IDENTITY_SECRET).update(userId).digest('hex')"}</code>
      <code class="admin-snippet">{'hmac.new(IDENTITY_SECRET.encode(), user_id.encode(), hashlib.sha256).hexdigest()'}</code>
    </div>
  );
}

function ChannelForm({ channels, onCancel, onCreated }: { channels: string[]; onCancel: () => void; onCreated: (a: ChannelAccount) => void }) {
  const idem = useIdempotencyKey();
  const [kind, setKind] = useState(() => (channels.includes('webchat') ? 'webchat' : channels[0] ?? ''));
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('channel-kind');
  const fields = SETTINGS[kind] ?? [];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(settings)) if (v.trim() && fields.some((f) => f.key === k)) clean[k] = v.trim();
    const body: ChannelAccountInput = { channel: kind, name: name.trim(), address: address.trim(), settings: clean };
    try {
      const acc = await supervisorApi.createChannelAccount(body, idem.keyFor(body));
      idem.done();
      onCreated(acc);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="channel-form">
      <div class="admin-grid">
        <Field id="channel-kind" label={t('admin.channels.channel')} error={fe('channel')}>
          <select
            id="channel-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.currentTarget.value);
              setSettings({});
            }}
            data-testid="channel-kind"
          >
            {channels.map((c) => (
              <option key={c} value={c}>
                {tMaybe(`admin.channels.kind.${c}`, c)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="channel-name" label={t('admin.name')} hint={t('admin.channels.nameHint')} error={fe('name')}>
          <input id="channel-name" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="channel-name-hint" data-testid="channel-name" />
        </Field>
        {!NO_ADDRESS.includes(kind) && (
        <Field
          id="channel-address"
          label={tMaybe(`admin.channels.addressLabel.${kind}`, t('admin.channels.address'))}
          hint={tMaybe(`admin.channels.addressHint.${kind}`, '')}
          error={fe('address')}
        >
          <input
            id="channel-address"
            value={address}
            required={kind !== 'webchat'}
            onInput={(e) => setAddress(e.currentTarget.value)}
            aria-invalid={fe('address') ? true : undefined}
            aria-describedby="channel-address-hint"
            data-testid="channel-address"
          />
        </Field>
        )}
        {fields.map((f) =>
          f.bool ? (
            <div class="field" key={f.key}>
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={settings[f.key] === 'true'}
                  onChange={(e) => setSettings({ ...settings, [f.key]: e.currentTarget.checked ? 'true' : '' })}
                />
                <span>{t(f.label)}</span>
              </label>
            </div>
          ) : (
            <Field key={f.key} id={`setting-${f.key}`} label={t(f.label)} hint={f.hint ? t(f.hint) : undefined} error={fe(`settings.${f.key}`)}>
              <SettingInput id={`setting-${f.key}`} secret={!!f.secret} value={settings[f.key] ?? ''} onValue={(v) => setSettings({ ...settings, [f.key]: v })} />
            </Field>
          ),
        )}
      </div>
      <Problem error={error} testId="channel-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy || !kind} data-testid="channel-save">
          {busy ? t('common.working') : t('admin.channels.create')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function SettingInput({ id, secret, value, onValue }: { id: string; secret: boolean; value: string; onValue: (v: string) => void }) {
  const props = { id, value, autoComplete: 'off', 'aria-describedby': `${id}-hint`, onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value) };
  return secret ? <input type="password" {...props} /> : <input type="text" {...props} />;
}
