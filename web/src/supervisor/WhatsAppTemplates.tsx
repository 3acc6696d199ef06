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
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import { AdminPage } from './AdminNav';
import { Field, fieldError, Problem, RowActions, useDelete, useFocusOnOpen, useLoaded, useReturnFocus } from './form';

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
  const del = useDelete();
  const [editing, setEditing] = useState<WhatsAppTemplate | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=wa-new]');

  return (
    <AdminPage title="whatsapp.title" intro="whatsapp.intro" testId="wa-page">
      <section class="panel" aria-labelledby="wa-list-title">
        <div class="panel-header">
          <h2 id="wa-list-title">{t('whatsapp.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="wa-new">
            {t('whatsapp.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || templates.error}</Notice>
        {editing && (
          <TemplateForm
            template={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(tpl) => {
              templates.setItems((items) => [...items.filter((x) => x.id !== tpl.id), tpl].sort(byNameLanguage));
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!templates.loading && templates.items.length === 0 && <p class="muted">{t('whatsapp.empty')}</p>}
        {templates.items.map((tpl) => (
          <article key={tpl.id} class="admin-card" data-testid="wa-row" data-name={tpl.name}>
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
            <RowActions
              onEdit={() => setEditing(tpl)}
              editTestId="wa-edit"
              del={del}
              id={tpl.id}
              name={`${tpl.name} (${tpl.language})`}
              testId="wa-delete"
              question={t('whatsapp.deleteConfirm', { name: tpl.name })}
              remove={() => supervisorApi.deleteWhatsAppTemplate(tpl.id)}
              after={() => templates.setItems((items) => items.filter((x) => x.id !== tpl.id))}
            />
          </article>
        ))}
      </section>
      {del.element}
    </AdminPage>
  );
}

interface FormProps {
  template: WhatsAppTemplate | null;
  onCancel: () => void;
  onSaved: (t: WhatsAppTemplate) => void;
}

function TemplateForm({ template, onCancel, onSaved }: FormProps) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<WhatsAppTemplateInput>(() => ({
    name: template?.name ?? '',
    language: template?.language ?? 'en_US',
    category: template?.category ?? 'utility',
    body: template?.body ?? '',
    status: template?.status ?? 'pending',
  }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('wa-name');
  const set = (patch: Partial<WhatsAppTemplateInput>) => setV((old) => ({ ...old, ...patch }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body: WhatsAppTemplateInput = { ...v, name: v.name.trim(), language: v.language.trim() };
    try {
      const saved = template
        ? await supervisorApi.updateWhatsAppTemplate(template.id, body)
        : await supervisorApi.createWhatsAppTemplate(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="wa-form" aria-labelledby="wa-form-title">
      <h3 id="wa-form-title">{template ? t('whatsapp.editTitle', { name: template.name }) : t('whatsapp.new')}</h3>
      <div class="admin-grid">
        <Field id="wa-name" label={t('whatsapp.name')} hint={t('whatsapp.nameHint')} error={fe('name')}>
          <input
            id="wa-name"
            required
            value={v.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
            aria-invalid={fe('name') ? true : undefined}
            aria-describedby="wa-name-hint"
            data-testid="wa-name"
          />
        </Field>
        <Field id="wa-language" label={t('whatsapp.language')} hint={t('whatsapp.languageHint')} error={fe('language')}>
          <input
            id="wa-language"
            required
            value={v.language}
            onInput={(e) => set({ language: e.currentTarget.value })}
            aria-invalid={fe('language') ? true : undefined}
            aria-describedby="wa-language-hint"
            data-testid="wa-language"
          />
        </Field>
        <Field id="wa-category" label={t('whatsapp.category')} error={fe('category')}>
          <select id="wa-category" value={v.category} onChange={(e) => set({ category: e.currentTarget.value as WhatsAppTemplateInput['category'] })} aria-describedby="wa-category-hint" data-testid="wa-category">
            {WHATSAPP_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`whatsapp.category.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="wa-status" label={t('whatsapp.status')} hint={t('whatsapp.statusHint')} error={fe('status')}>
          <select id="wa-status" value={v.status} onChange={(e) => set({ status: e.currentTarget.value as WhatsAppTemplateInput['status'] })} aria-describedby="wa-status-hint" data-testid="wa-status">
            {WHATSAPP_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`whatsapp.status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="wa-body" label={t('whatsapp.body')} hint={t('whatsapp.bodyHint')} error={fe('body')}>
        <textarea
          id="wa-body"
          required
          rows={4}
          value={v.body}
          onInput={(e) => set({ body: e.currentTarget.value })}
          aria-invalid={fe('body') ? true : undefined}
          aria-describedby="wa-body-hint"
          data-testid="wa-body"
        />
      </Field>
      <Problem error={error} testId="wa-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="wa-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
