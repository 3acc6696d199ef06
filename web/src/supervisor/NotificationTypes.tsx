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
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { SelectField, TextField } from '../components/admin/fields';
import { useLoaded } from '../components/admin/form';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { AdminPage } from './AdminNav';
import { ChannelOrder, channelLabel, durationProblem, NotifyTabs, shortDuration } from './NotificationFields';
import { cleanTemplates, TemplatesEditor, type Templates } from './NotificationTemplates';

/** NotificationTypesPage is /admin/notification-types. */
export function NotificationTypesPage() {
  const list = useLoaded(notificationsApi.types);
  const admin = useSession().session.user.role === 'admin';
  return (
    <AdminPage title="notify.types.title" intro="notify.types.intro" testId="notification-types-page">
      <NotifyTabs admin={admin} />
      <AdminList
        prefix="ntype"
        title={t('notify.types.list')}
        newLabel={t('notify.types.new')}
        empty={t('notify.types.empty')}
        list={list}
        idOf={(x) => x.key}
        order={(a, b) => a.key.localeCompare(b.key)}
        name={(x) => x.key}
        rowAttrs={(x) => ({ 'data-key': x.key })}
        deleteQuestion={(x) => t('notify.types.deleteConfirm', { name: x.key })}
        remove={(x) => notificationsApi.deleteType(x.key)}
        columns={[
          { label: t('notify.types.key'), main: true, cell: (x) => <code>{x.key}</code> },
          {
            label: t('admin.name'),
            cell: (x) => (
              <>
                {x.name}
                {x.reply_expected && <span class="muted small"> · {t('notify.types.replyShort')}</span>}
                {x.send_time === 'best' && <span class="muted small"> · {t('notify.types.bestShort')}</span>}
              </>
            ),
          },
          {
            label: t('notify.types.category'),
            cell: (x) => <span class={x.category === 'critical' ? 'badge badge-failed' : 'badge'}>{tMaybe(`notify.category.${x.category}`, x.category)}</span>,
          },
          { label: t('notify.types.channels'), narrow: true, cell: (x) => (x.channels ?? []).map(channelLabel).join(' → ') || t('notify.types.anyChannel') },
          { label: t('notify.types.languages'), narrow: true, cell: (x) => Object.keys(x.templates ?? {}).join(', ') || t('common.none') },
        ]}
        form={(slot) => <TypeForm {...slot} />}
      />
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

function TypeForm({ item, onCancel, onSaved }: FormSlot<NotificationType>) {
  const [v, setV] = useState<NotificationTypeInput>(() => initial(item));
  const save = useSave(onSaved);
  const error = save.error;
  const taken = error instanceof ApiError && error.status === 409 ? t('notify.types.keyTaken') : undefined;
  const confirmProblem = durationProblem(v.confirm_within);
  const fe = (f: string) => (f === 'confirm_within' ? confirmProblem : undefined) ?? save.fe(f) ?? (f === 'key' ? taken : undefined);
  const set = (patch: Partial<NotificationTypeInput>) => setV((old) => ({ ...old, ...patch }));
  const languages = [...new Set([v.default_language, ...Object.keys(v.templates)].filter(Boolean))];

  const submit = () => {
    if (confirmProblem) return document.getElementById('ntype-confirm')?.focus();
    const body: NotificationTypeInput = {
      ...v,
      key: v.key.trim(),
      name: v.name.trim(),
      confirm_within: v.confirm_within.trim(),
      default_language: v.default_language.trim(),
      templates: cleanTemplates(v.templates),
    };
    void save.run(body, (key) => (item ? notificationsApi.updateType(item.key, body) : notificationsApi.createType(body, key)));
  };

  return (
    <AdminForm
      prefix="ntype"
      first={item ? 'ntype-name' : 'ntype-key'}
      title={item ? t('notify.types.editTitle', { name: item.key }) : t('notify.types.new')}
      saver={save}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div class="admin-grid">
        <TextField
          id="ntype-key"
          testId="ntype-key"
          required
          readOnly={!!item}
          label={t('notify.types.key')}
          hint={t(item ? 'notify.types.keyFixed' : 'notify.types.keyHint')}
          error={fe('key')}
          value={v.key}
          onValue={(key) => set({ key })}
        />
        <TextField id="ntype-name" testId="ntype-name" required label={t('admin.name')} hint={t('notify.types.nameHint')} error={fe('name')} value={v.name} onValue={(name) => set({ name })} />
        <SelectField
          id="ntype-category"
          testId="ntype-category"
          label={t('notify.types.category')}
          hint={t(`notify.category.${v.category}Hint`)}
          error={fe('category')}
          value={v.category}
          onValue={(c) => set({ category: c as NotifyCategory })}
          options={NOTIFY_CATEGORIES.map((c) => [c, t(`notify.category.${c}`)] as const)}
        />
        <TextField
          id="ntype-confirm"
          testId="ntype-confirm"
          placeholder="15m"
          label={t('notify.types.confirmWithin')}
          hint={t('notify.types.confirmHint')}
          error={fe('confirm_within')}
          value={v.confirm_within}
          onValue={(confirm_within) => set({ confirm_within })}
        />
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
      <SelectField
        id="ntype-default-language"
        testId="ntype-default-language"
        label={t('notify.types.defaultLanguage')}
        hint={t('notify.types.defaultLanguageHint')}
        error={fe('default_language')}
        value={v.default_language}
        onValue={(default_language) => set({ default_language })}
        options={languages.map((l) => [l, l] as const)}
      />
      <TemplatesEditor
        templates={v.templates as Templates}
        onChange={(templates) => set({ templates })}
        channels={v.channels}
        defaultLanguage={v.default_language}
        error={(f) => (error instanceof ApiError ? error.fieldError(f) : undefined)}
        refused={error instanceof ApiError ? error.fieldErrors.find((x) => x.field.startsWith('templates.'))?.field : undefined}
      />
    </AdminForm>
  );
}
