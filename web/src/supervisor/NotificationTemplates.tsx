// The templates of a notification type, one per language and channel, each a
// subject, a body and a short text, with a live preview filled from sample
// data. "web" is the portal page, and the fallback of any channel without its
// own template.
//
// Test ids: tpl-language, tpl-language-new, tpl-language-add, tpl-language-remove,
// tpl-channel, tpl-subject, tpl-body, tpl-short, tpl-remove, tpl-sample,
// tpl-sample-fill, tpl-preview, tpl-preview-subject, tpl-preview-body,
// tpl-preview-short, tpl-preview-error, tpl-fallback.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { NotificationTemplate } from '../api/notifications';
import { t } from '../i18n';
import { channelLabel } from './NotificationFields';
import { BUILTIN_VARIABLES, renderParts, templateVariables } from './NotificationPreview';
import { Field } from '../components/admin/form';

/** Templates are a type's templates by language, then by channel. */
export type Templates = Record<string, Record<string, NotificationTemplate>>;

const WEB = 'web';

/** cleanTemplates drops templates with nothing written and languages left empty. */
export function cleanTemplates(ts: Templates): Templates {
  const out: Templates = {};
  for (const [lang, byChannel] of Object.entries(ts)) {
    for (const [ch, tpl] of Object.entries(byChannel)) {
      if (!tpl.subject && !tpl.body && !tpl.short) continue;
      (out[lang] ??= {})[ch] = tpl;
    }
  }
  return out;
}

/**
 * fallbackChannel is the template the server uses for (lang, channel): its own,
 * else web's, else email's, else the first of the language's by name.
 */
export function fallbackChannel(ts: Templates, lang: string, channel: string): string | undefined {
  const written = Object.keys(cleanTemplates({ [lang]: ts[lang] ?? {} })[lang] ?? {});
  return [channel, WEB, 'email'].find((ch) => written.includes(ch)) ?? written.sort()[0];
}

interface Props {
  templates: Templates;
  onChange: (ts: Templates) => void;
  channels: string[];
  defaultLanguage: string;
  /** error is the API's reason for refusing exactly this field. */
  error: (field: string) => string | undefined;
  /** refused names the first refused template field ("templates.en.sms.body"), to open that template. */
  refused?: string;
}

/** TemplatesEditor edits one language-and-channel template at a time, next to its preview. */
export function TemplatesEditor({ templates, onChange, channels, defaultLanguage, error, refused }: Props) {
  const languages = [...new Set([defaultLanguage, ...Object.keys(templates)].filter(Boolean))];
  const [lang, setLang] = useState(languages[0] ?? 'en');
  const [newLang, setNewLang] = useState('');
  const cur = languages.includes(lang) ? lang : (languages[0] ?? 'en');
  // Templates written for channels since dropped from the type stay reachable, to edit or remove.
  const channelChoices = [...new Set([...channels, WEB, ...Object.keys(templates[cur] ?? {})])];
  const [channel, setChannel] = useState(channelChoices[0] ?? WEB);
  const ch = channelChoices.includes(channel) ? channel : (channelChoices[0] ?? WEB);
  const tpl = templates[cur]?.[ch] ?? {};
  const [sample, setSample] = useState(() => sampleFor(templates, {}));
  useEffect(() => {
    const m = /^templates\.([^.]+)\.([^.]+)/.exec(refused ?? '');
    if (m) {
      setLang(m[1]!);
      setChannel(m[2]!);
    }
  }, [refused]);

  const set = (patch: Partial<NotificationTemplate>) =>
    onChange({ ...templates, [cur]: { ...templates[cur], [ch]: { ...tpl, ...patch } } });
  const removeCell = () => {
    const { [ch]: _, ...rest } = templates[cur] ?? {};
    onChange({ ...templates, [cur]: rest });
  };
  const addLanguage = () => {
    const code = newLang.trim();
    if (!code) return;
    if (!templates[code]) onChange({ ...templates, [code]: {} });
    setLang(code);
    setNewLang('');
  };
  const removeLanguage = () => {
    const { [cur]: _, ...rest } = templates;
    onChange(rest);
    setLang(languages.find((l) => l !== cur) ?? defaultLanguage);
  };
  const cell = `templates.${cur}.${ch}`;
  const fieldErr = error('templates') ?? error(`templates.${cur}`);
  const used = fallbackChannel(templates, cur, ch);

  return (
    <fieldset class="field">
      <legend>{t('notify.tpl.title')}</legend>
      <p class="hint">{t('notify.tpl.hint')}</p>
      <div class="admin-row">
        <label class="admin-inline-label" for="tpl-language">
          {t('notify.tpl.language')}
        </label>
        <select id="tpl-language" value={cur} onChange={(e) => setLang(e.currentTarget.value)} data-testid="tpl-language">
          {(languages.length ? languages : ['en']).map((l) => (
            <option key={l} value={l}>
              {l}
              {l === defaultLanguage ? ` (${t('notify.tpl.default')})` : ''}
            </option>
          ))}
        </select>
        <label class="visually-hidden" for="tpl-language-new">
          {t('notify.tpl.newLanguage')}
        </label>
        <input
          id="tpl-language-new"
          size={6}
          placeholder="pt"
          value={newLang}
          onInput={(e) => setNewLang(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Enter adds the language rather than saving the whole type.
            if (e.key === 'Enter') {
              e.preventDefault();
              addLanguage();
            }
          }}
          data-testid="tpl-language-new"
        />
        <button type="button" class="button button-small" onClick={addLanguage} data-testid="tpl-language-add">
          {t('notify.tpl.addLanguage')}
        </button>
        {cur !== defaultLanguage && templates[cur] && (
          <button type="button" class="button button-small button-quiet" onClick={removeLanguage} data-testid="tpl-language-remove">
            {t('notify.tpl.removeLanguage', { lang: cur })}
          </button>
        )}
      </div>
      <div class="admin-row">
        <label class="admin-inline-label" for="tpl-channel">
          {t('notify.tpl.channel')}
        </label>
        <select id="tpl-channel" value={ch} onChange={(e) => setChannel(e.currentTarget.value)} data-testid="tpl-channel">
          {channelChoices.map((c) => (
            <option key={c} value={c}>
              {channelLabel(c)}
              {fallbackChannel(templates, cur, c) === c ? ` (${t('notify.tpl.written')})` : ''}
            </option>
          ))}
        </select>
      </div>
      <div class="admin-grid">
        <div>
          <Field id="tpl-subject" label={t('notify.tpl.subject')} hint={t('notify.tpl.subjectHint')} error={error(`${cell}.subject`)}>
            <input id="tpl-subject" value={tpl.subject ?? ''} onInput={(e) => set({ subject: e.currentTarget.value })} aria-describedby="tpl-subject-hint" data-testid="tpl-subject" />
          </Field>
          <Field id="tpl-body" label={t('notify.tpl.body')} hint={t('notify.tpl.bodyHint')} error={error(`${cell}.body`)}>
            <textarea id="tpl-body" rows={6} value={tpl.body ?? ''} onInput={(e) => set({ body: e.currentTarget.value })} aria-describedby="tpl-body-hint" data-testid="tpl-body" />
          </Field>
          <Field id="tpl-short" label={t('notify.tpl.short')} hint={t('notify.tpl.shortHint')} error={error(`${cell}.short`)}>
            <textarea id="tpl-short" rows={2} value={tpl.short ?? ''} onInput={(e) => set({ short: e.currentTarget.value })} aria-describedby="tpl-short-hint" data-testid="tpl-short" />
          </Field>
          {templates[cur]?.[ch] && (
            <button type="button" class="button button-small button-quiet" onClick={removeCell} data-testid="tpl-remove">
              {t('notify.tpl.remove', { lang: cur, channel: channelLabel(ch) })}
            </button>
          )}
        </div>
        <Preview templates={templates} lang={cur} channel={used} wanted={ch} sample={sample} setSample={setSample} />
      </div>
      {fieldErr && <p class="field-error">{fieldErr}</p>}
    </fieldset>
  );
}

/** sampleFor is sample data naming every variable the templates read, keeping values already given. */
function sampleFor(ts: Templates, given: Record<string, unknown>): string {
  const data: Record<string, unknown> = { ...given };
  for (const byChannel of Object.values(ts)) {
    for (const tpl of Object.values(byChannel)) {
      for (const v of templateVariables(`${tpl.subject ?? ''} ${tpl.body ?? ''} ${tpl.short ?? ''}`)) {
        if (!(v in data) && !(v in BUILTIN_VARIABLES)) data[v] = v;
      }
    }
  }
  return JSON.stringify(data, null, 2);
}

interface PreviewProps {
  templates: Templates;
  lang: string;
  /** channel is the template in use, wanted the one being edited. */
  channel: string | undefined;
  wanted: string;
  sample: string;
  setSample: (s: string) => void;
}

function Preview({ templates, lang, channel, wanted, sample, setSample }: PreviewProps) {
  const parsed = useMemo((): { data?: Record<string, unknown>; error?: string } => {
    try {
      const v: unknown = JSON.parse(sample || '{}');
      if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: t('notify.tpl.sampleObject') };
      return { data: v as Record<string, unknown> };
    } catch (err) {
      return { error: t('notify.tpl.sampleInvalid', { detail: err instanceof Error ? err.message : String(err) }) };
    }
  }, [sample]);
  const tpl = channel ? templates[lang]?.[channel] : undefined;
  const out = tpl && parsed.data ? renderParts(tpl, { ...parsed.data, ...BUILTIN_VARIABLES }) : null;
  const errors = [parsed.error, ...(out?.errors.map((e) => `${lang} · ${channelLabel(channel!)} · ${e}`) ?? [])].filter(Boolean);
  const fill = () => {
    setSample(sampleFor(templates, parsed.data ?? {}));
  };
  return (
    <section class="admin-card" aria-labelledby="tpl-preview-title" data-testid="tpl-preview">
      <h4 id="tpl-preview-title">{t('notify.tpl.preview')}</h4>
      <Field id="tpl-sample" label={t('notify.tpl.sample')} hint={t('notify.tpl.sampleHint', { names: Object.keys(BUILTIN_VARIABLES).join(', ') })}>
        <textarea id="tpl-sample" rows={4} value={sample} onInput={(e) => setSample(e.currentTarget.value)} aria-describedby="tpl-sample-hint" data-testid="tpl-sample" spellcheck={false} />
      </Field>
      <button type="button" class="button button-small" onClick={fill} data-testid="tpl-sample-fill">
        {t('notify.tpl.sampleFill')}
      </button>
      {channel && channel !== wanted && (
        <p class="hint" data-testid="tpl-fallback">
          {t('notify.tpl.fallsBack', { channel: channelLabel(wanted), used: channelLabel(channel) })}
        </p>
      )}
      {!tpl && <p class="muted">{t('notify.tpl.nothing', { lang })}</p>}
      {errors.length > 0 && (
        <ul class="field-error small" data-testid="tpl-preview-error">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {out && (
        <dl class="admin-facts small">
          <dt>{t('notify.tpl.subject')}</dt>
          <dd data-testid="tpl-preview-subject">{out.subject || t('common.none')}</dd>
          <dt>{t('notify.tpl.body')}</dt>
          <dd data-testid="tpl-preview-body">
            <pre class="code-block">{out.body}</pre>
          </dd>
          <dt>{t('notify.tpl.short')}</dt>
          <dd data-testid="tpl-preview-short">
            {out.short} <span class="muted">({t('notify.tpl.chars', { n: [...out.short].length })})</span>
          </dd>
        </dl>
      )}
    </section>
  );
}
