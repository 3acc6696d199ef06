// /admin/whatsapp-templates: the workspace's WhatsApp message templates — the
// only messages that reach a customer outside WhatsApp's 24-hour window.
//
// Test ids: wa-page, wa-new, wa-row (data-name), wa-edit, wa-delete,
// wa-form, wa-name, wa-language, wa-category, wa-status, wa-body, wa-save, wa-error.
import { useState } from 'preact/hooks';
import {
  supervisorApi,
  WHATSAPP_CATEGORIES,
  WHATSAPP_STATUSES,
  type WhatsAppTemplate,
  type WhatsAppTemplateInput,
} from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { SelectField, TextAreaField, TextField } from '../components/admin/fields';
import { useLoaded } from '../components/admin/form';
import { t, tMaybe } from '../i18n';
import { AdminPage } from './AdminNav';

/** variableCount is the highest {{n}} in a body: how many values a send needs. */
export function variableCount(body: string): number {
  let n = 0;
  for (const m of body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) n = Math.max(n, Number(m[1]));
  return n;
}

const byNameLanguage = (a: WhatsAppTemplate, b: WhatsAppTemplate) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language);

/** WhatsAppTemplatesPage is /admin/whatsapp-templates. */
export function WhatsAppTemplatesPage() {
  const templates = useLoaded(supervisorApi.whatsAppTemplates);
  return (
    <AdminPage title="whatsapp.title" intro="whatsapp.intro" testId="wa-page">
      <AdminList
        prefix="wa"
        title={t('whatsapp.list')}
        newLabel={t('whatsapp.new')}
        empty={t('whatsapp.empty')}
        list={templates}
        order={byNameLanguage}
        name={(tpl) => `${tpl.name} (${tpl.language})`}
        rowAttrs={(tpl) => ({ 'data-name': tpl.name })}
        deleteQuestion={(tpl) => t('whatsapp.deleteConfirm', { name: tpl.name })}
        remove={(tpl) => supervisorApi.deleteWhatsAppTemplate(tpl.id)}
        card={(tpl) => (
          <>
            <h3>
              {tpl.name} <span class="muted small">{tpl.language}</span>
            </h3>
            <dl class="admin-facts small">
              <dt>{t('whatsapp.status')}</dt>
              <dd data-testid="wa-row-status">{tMaybe(`whatsapp.status.${tpl.status}`, tpl.status)}</dd>
              <dt>{t('whatsapp.category')}</dt>
              <dd>{tMaybe(`whatsapp.category.${tpl.category}`, tpl.category)}</dd>
              <dt>{t('whatsapp.body')}</dt>
              <dd>
                {tpl.body} <span class="muted">({t('whatsapp.variables', { count: String(variableCount(tpl.body)) })})</span>
              </dd>
            </dl>
          </>
        )}
        form={(slot) => <TemplateForm {...slot} />}
      />
    </AdminPage>
  );
}

function TemplateForm({ item, onCancel, onSaved }: FormSlot<WhatsAppTemplate>) {
  const [v, setV] = useState<WhatsAppTemplateInput>(() => ({
    name: item?.name ?? '',
    language: item?.language ?? 'en_US',
    category: item?.category ?? 'utility',
    body: item?.body ?? '',
    status: item?.status ?? 'pending',
  }));
  const save = useSave(onSaved);
  const set = (patch: Partial<WhatsAppTemplateInput>) => setV((old) => ({ ...old, ...patch }));
  const submit = () => {
    const body: WhatsAppTemplateInput = { ...v, name: v.name.trim(), language: v.language.trim() };
    void save.run(body, (key) => (item ? supervisorApi.updateWhatsAppTemplate(item.id, body) : supervisorApi.createWhatsAppTemplate(body, key)));
  };

  return (
    <AdminForm prefix="wa" first="wa-name" title={item ? t('whatsapp.editTitle', { name: item.name }) : t('whatsapp.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <div class="admin-grid">
        <TextField id="wa-name" testId="wa-name" required label={t('whatsapp.name')} hint={t('whatsapp.nameHint')} error={save.fe('name')} value={v.name} onValue={(name) => set({ name })} />
        <TextField
          id="wa-language"
          testId="wa-language"
          required
          label={t('whatsapp.language')}
          hint={t('whatsapp.languageHint')}
          error={save.fe('language')}
          value={v.language}
          onValue={(language) => set({ language })}
        />
        <SelectField
          id="wa-category"
          testId="wa-category"
          label={t('whatsapp.category')}
          error={save.fe('category')}
          value={v.category}
          onValue={(c) => set({ category: c as WhatsAppTemplateInput['category'] })}
          options={WHATSAPP_CATEGORIES.map((c) => [c, t(`whatsapp.category.${c}`)] as const)}
        />
        <SelectField
          id="wa-status"
          testId="wa-status"
          label={t('whatsapp.status')}
          hint={t('whatsapp.statusHint')}
          error={save.fe('status')}
          value={v.status}
          onValue={(s) => set({ status: s as WhatsAppTemplateInput['status'] })}
          options={WHATSAPP_STATUSES.map((s) => [s, t(`whatsapp.status.${s}`)] as const)}
        />
      </div>
      <TextAreaField id="wa-body" testId="wa-body" required rows={4} label={t('whatsapp.body')} hint={t('whatsapp.bodyHint')} error={save.fe('body')} value={v.body} onValue={(body) => set({ body })} />
    </AdminForm>
  );
}
