// /admin/notification-types: the kinds of notice the business sends — a key
// its systems raise events with, a category (critical ones cannot be turned
// off by customers), the channels in order, whether a reply is expected, when
// to send, how long a channel has to confirm before the next is tried, and
// the templates per language and channel.
//
// Test ids: notification-types-page, ntype-new, ntype-row (data-key), ntype-edit,
// ntype-delete, ntype-form, ntype-key, ntype-name, ntype-category, ntype-channels-*,
// ntype-reply, ntype-send-now, ntype-send-best, ntype-confirm, ntype-default-language,
// ntype-save, ntype-error; the templates' ids are in NotificationTemplates.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import {
  NOTIFY_CATEGORIES,
  notificationsApi,
  type NotificationType,
  type NotificationTypeInput,
  type NotifyCategory,
} from '../api/notifications';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { AdminPage } from './AdminNav';
import { DeleteButton, Field, fieldError, Problem, useDelete, useFocusOnOpen, useLoaded, useReturnFocus } from '../components/admin/form';
import { ChannelOrder, channelLabel, durationProblem, NotifyTabs, shortDuration } from './NotificationFields';
import { cleanTemplates, TemplatesEditor, type Templates } from './NotificationTemplates';

/** NotificationTypesPage is /admin/notification-types. */
export function NotificationTypesPage() {
  const list = useLoaded(notificationsApi.types);
  const del = useDelete();
  const [editing, setEditing] = useState<NotificationType | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=ntype-new]');
  const admin = useSession().session.user.role === 'admin';
  return (
    <AdminPage title="notify.types.title" intro="notify.types.intro" testId="notification-types-page">
      <NotifyTabs admin={admin} />
      <section class="panel" aria-labelledby="ntype-list-title">
        <div class="panel-header">
          <h2 id="ntype-list-title">{t('notify.types.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="ntype-new">
            {t('notify.types.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || list.error}</Notice>
        {editing && (
          <TypeForm
            item={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(x) => {
              list.setItems((items) => [...items.filter((y) => y.key !== x.key), x].sort((a, b) => a.key.localeCompare(b.key)));
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('notify.types.empty')}</p>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="table" data-testid="ntype-table">
              <thead>
                <tr>
                  <th scope="col">{t('notify.types.key')}</th>
                  <th scope="col">{t('admin.name')}</th>
                  <th scope="col">{t('notify.types.category')}</th>
                  <th scope="col" class="hide-narrow">{t('notify.types.channels')}</th>
                  <th scope="col" class="hide-narrow">{t('notify.types.languages')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((x) => (
                  <tr key={x.key} data-testid="ntype-row" data-key={x.key}>
                    <td class="cell-main">
                      <code>{x.key}</code>
                    </td>
                    <td>
                      {x.name}
                      {x.reply_expected && <span class="muted small"> · {t('notify.types.replyShort')}</span>}
                      {x.send_time === 'best' && <span class="muted small"> · {t('notify.types.bestShort')}</span>}
                    </td>
                    <td>
                      <span class={x.category === 'critical' ? 'badge badge-failed' : 'badge'}>{tMaybe(`notify.category.${x.category}`, x.category)}</span>
                    </td>
                    <td class="hide-narrow">{(x.channels ?? []).map(channelLabel).join(' → ') || t('notify.types.anyChannel')}</td>
                    <td class="hide-narrow">{Object.keys(x.templates ?? {}).join(', ') || t('common.none')}</td>
                    <td class="cell-actions">
                      <button type="button" class="button button-small" onClick={() => setEditing(x)} aria-label={`${t('admin.edit')}: ${x.key}`} data-testid="ntype-edit">
                        {t('admin.edit')}
                      </button>
                      <DeleteButton
                        del={del}
                        id={x.key}
                        name={x.key}
                        testId="ntype-delete"
                        question={t('notify.types.deleteConfirm', { name: x.key })}
                        remove={() => notificationsApi.deleteType(x.key)}
                        after={() => list.setItems((items) => items.filter((y) => y.key !== x.key))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {del.element}
      </section>
    </AdminPage>
  );
}

function initial(item: NotificationType | null): NotificationTypeInput {
  return {
    key: item?.key ?? '',
    name: item?.name ?? '',
    category: item?.category ?? 'transactional',
    channels: item ? (item.channels ?? []) : ['email'],
    reply_expected: item?.reply_expected ?? false,
    send_time: item?.send_time === 'best' ? 'best' : 'now',
    confirm_within: shortDuration(item?.confirm_within),
    default_language: item?.default_language || 'en',
    templates: item ? (item.templates ?? {}) : { en: { email: { subject: '', body: '' } } },
  };
}

interface FormProps {
  item: NotificationType | null;
  onCancel: () => void;
  onSaved: (x: NotificationType) => void;
}

function TypeForm({ item, onCancel, onSaved }: FormProps) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<NotificationTypeInput>(() => initial(item));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const taken = error instanceof ApiError && error.status === 409 ? t('notify.types.keyTaken') : undefined;
  const confirmProblem = durationProblem(v.confirm_within);
  const fe = (f: string) => (f === 'confirm_within' ? confirmProblem : undefined) ?? fieldError(error, f) ?? (f === 'key' ? taken : undefined);
  const set = (patch: Partial<NotificationTypeInput>) => setV((old) => ({ ...old, ...patch }));
  useFocusOnOpen(item ? 'ntype-name' : 'ntype-key');
  const languages = [...new Set([v.default_language, ...Object.keys(v.templates)].filter(Boolean))];

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (confirmProblem) return document.getElementById('ntype-confirm')?.focus();
    setBusy(true);
    setError(null);
    const body: NotificationTypeInput = {
      ...v,
      key: v.key.trim(),
      name: v.name.trim(),
      confirm_within: v.confirm_within.trim(),
      default_language: v.default_language.trim(),
      templates: cleanTemplates(v.templates),
    };
    try {
      const saved = item ? await notificationsApi.updateType(item.key, body) : await notificationsApi.createType(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="ntype-form" aria-labelledby="ntype-form-title">
      <h3 id="ntype-form-title">{item ? t('notify.types.editTitle', { name: item.key }) : t('notify.types.new')}</h3>
      <div class="admin-grid">
        <Field id="ntype-key" label={t('notify.types.key')} hint={t(item ? 'notify.types.keyFixed' : 'notify.types.keyHint')} error={fe('key')}>
          <input
            id="ntype-key"
            required
            readOnly={!!item}
            value={v.key}
            onInput={(e) => set({ key: e.currentTarget.value })}
            aria-invalid={fe('key') ? true : undefined}
            aria-describedby="ntype-key-hint"
            data-testid="ntype-key"
          />
        </Field>
        <Field id="ntype-name" label={t('admin.name')} hint={t('notify.types.nameHint')} error={fe('name')}>
          <input id="ntype-name" required value={v.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-describedby="ntype-name-hint" data-testid="ntype-name" />
        </Field>
        <Field id="ntype-category" label={t('notify.types.category')} hint={t(`notify.category.${v.category}Hint`)} error={fe('category')}>
          <select id="ntype-category" value={v.category} onChange={(e) => set({ category: e.currentTarget.value as NotifyCategory })} aria-describedby="ntype-category-hint" data-testid="ntype-category">
            {NOTIFY_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`notify.category.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="ntype-confirm" label={t('notify.types.confirmWithin')} hint={t('notify.types.confirmHint')} error={fe('confirm_within')}>
          <input
            id="ntype-confirm"
            value={v.confirm_within}
            placeholder="15m"
            onInput={(e) => set({ confirm_within: e.currentTarget.value })}
            aria-invalid={fe('confirm_within') ? true : undefined}
            aria-describedby="ntype-confirm-hint"
            data-testid="ntype-confirm"
          />
        </Field>
      </div>
      <ChannelOrder id="ntype-channels" label={t('notify.types.channels')} hint={t('notify.types.channelsHint')} value={v.channels} onChange={(channels) => set({ channels })} error={fe('channels')} />
      <div class="admin-grid">
        <fieldset class="field">
          <legend>{t('notify.types.sendTime')}</legend>
          {(['now', 'best'] as const).map((s) => (
            <label key={s} class="checkbox">
              <input type="radio" name="ntype-send" value={s} checked={v.send_time === s} onChange={() => set({ send_time: s })} data-testid={`ntype-send-${s}`} />
              <span>{t(s === 'now' ? 'notify.types.sendNow' : 'notify.types.sendBest')}</span>
            </label>
          ))}
          {fe('send_time') && <p class="field-error">{fe('send_time')}</p>}
        </fieldset>
        <fieldset class="field">
          <legend>{t('notify.types.reply')}</legend>
          <label class="checkbox">
            <input type="checkbox" checked={v.reply_expected} onChange={(e) => set({ reply_expected: e.currentTarget.checked })} data-testid="ntype-reply" />
            <span>{t('notify.types.replyExpected')}</span>
          </label>
        </fieldset>
      </div>
      <Field id="ntype-default-language" label={t('notify.types.defaultLanguage')} hint={t('notify.types.defaultLanguageHint')} error={fe('default_language')}>
        <select id="ntype-default-language" value={v.default_language} onChange={(e) => set({ default_language: e.currentTarget.value })} aria-describedby="ntype-default-language-hint" data-testid="ntype-default-language">
          {languages.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      <TemplatesEditor
        templates={v.templates as Templates}
        onChange={(templates) => set({ templates })}
        channels={v.channels}
        defaultLanguage={v.default_language}
        error={(f) => (error instanceof ApiError ? error.fieldError(f) : undefined)}
        refused={error instanceof ApiError ? error.fieldErrors.find((x) => x.field.startsWith('templates.'))?.field : undefined}
      />
      <Problem error={error} testId="ntype-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="ntype-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
