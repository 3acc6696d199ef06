// ArticleForm edits an article's content: the four KCS fields (issue in the
// customer's words, environment, cause, resolution — Markdown), who reads it,
// its language, tags, category, products and queues. The page around it saves.
//
// Test ids: kb-form, kb-field-<title|issue|environment|cause|resolution|audience|locale|tags|category|products|queues|note>,
//   kb-save, kb-form-error.
import { useState } from 'preact/hooks';
import { AUDIENCES, LOCALES, type ArticleContent } from '../api/knowledge';
import { Field, fieldError, splitList } from '../components/admin/form';
import { t, tMaybe, type MessageKey } from '../i18n';
import { useQueues } from './users';

interface Props {
  value: ArticleContent;
  onChange: (c: ArticleContent) => void;
  /** note is the "what changed" line of an edit; undefined on a new article. */
  note?: string;
  onNote?: (s: string) => void;
  error: unknown;
  readOnly: boolean;
}

const TEXTS: { key: 'issue' | 'environment' | 'cause' | 'resolution'; rows: number }[] = [
  { key: 'issue', rows: 4 },
  { key: 'environment', rows: 2 },
  { key: 'cause', rows: 3 },
  { key: 'resolution', rows: 8 },
];

/** ArticleForm is the article's fields; it holds no state of its own but the list fields' text. */
export function ArticleForm({ value, onChange, note, onNote, error, readOnly }: Props) {
  const queues = useQueues();
  const [tags, setTags] = useState(value.tags.join(', '));
  const [products, setProducts] = useState(value.products.join(', '));
  const set = <K extends keyof ArticleContent>(k: K, v: ArticleContent[K]) => onChange({ ...value, [k]: v });
  const id = (k: string) => `kb-field-${k}`;
  const aria = (k: string) => ({ id: id(k), 'aria-describedby': `${id(k)}-hint`, 'data-testid': id(k), disabled: readOnly });

  return (
    <div class="kb-form" data-testid="kb-form">
      <Field id={id('title')} label={t('kb.field.title')} hint={t('kb.hint.title')} error={fieldError(error, 'title')}>
        <input {...aria('title')} required maxLength={300} value={value.title} onInput={(e) => set('title', e.currentTarget.value)} />
      </Field>
      {TEXTS.map(({ key, rows }) => (
        <Field key={key} id={id(key)} label={t(`kb.field.${key}` as MessageKey)} hint={t(`kb.hint.${key}` as MessageKey)} error={fieldError(error, key)}>
          <textarea {...aria(key)} rows={rows} value={value[key]} onInput={(e) => set(key, e.currentTarget.value)} />
        </Field>
      ))}
      <div class="kb-form-grid">
        <Field id={id('audience')} label={t('kb.field.audience')} hint={t('kb.hint.audience')} error={fieldError(error, 'audience')}>
          <select {...aria('audience')} value={value.audience} onChange={(e) => set('audience', e.currentTarget.value as ArticleContent['audience'])}>
            {AUDIENCES.map((a) => <option key={a} value={a}>{tMaybe(`kb.audience.${a}`, a)}</option>)}
          </select>
        </Field>
        <Field id={id('locale')} label={t('kb.field.locale')} error={fieldError(error, 'locale')}>
          <select {...aria('locale')} value={value.locale} onChange={(e) => set('locale', e.currentTarget.value)}>
            {[...new Set([...LOCALES, value.locale])].filter(Boolean).map((l) => <option key={l} value={l}>{tMaybe(`kb.locale.${l}`, l)}</option>)}
          </select>
        </Field>
        <Field id={id('category')} label={t('kb.field.category')} hint={t('kb.hint.category')} error={fieldError(error, 'category')}>
          <input {...aria('category')} value={value.category} onInput={(e) => set('category', e.currentTarget.value)} />
        </Field>
        <Field id={id('tags')} label={t('kb.field.tags')} hint={t('kb.hint.list')} error={fieldError(error, 'tags')}>
          <input {...aria('tags')} value={tags} onInput={(e) => { setTags(e.currentTarget.value); set('tags', splitList(e.currentTarget.value)); }} />
        </Field>
        <Field id={id('products')} label={t('kb.field.products')} hint={t('kb.hint.list')} error={fieldError(error, 'products')}>
          <input {...aria('products')} value={products} onInput={(e) => { setProducts(e.currentTarget.value); set('products', splitList(e.currentTarget.value)); }} />
        </Field>
        <Field id={id('queues')} label={t('kb.field.queues')} hint={t('kb.hint.queues')} error={fieldError(error, 'queue_ids')}>
          <select {...aria('queues')} multiple size={Math.min(4, Math.max(2, queues.length))}
            onChange={(e) => set('queue_ids', Array.from(e.currentTarget.selectedOptions, (o) => o.value))}>
            {queues.map((q) => <option key={q.id} value={q.id} selected={value.queue_ids.includes(q.id)}>{q.name}</option>)}
          </select>
        </Field>
      </div>
      {onNote && (
        <Field id={id('note')} label={t('kb.field.note')} hint={t('kb.hint.note')}>
          <input {...aria('note')} value={note ?? ''} onInput={(e) => onNote(e.currentTarget.value)} />
        </Field>
      )}
    </div>
  );
}
