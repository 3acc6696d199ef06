// AdminList is the list half of an admin page: a titled panel with a New
// button, the outcome of the last save or delete, the editor when one is open,
// the loading and empty states, and the rows — as a table (columns) or as
// cards — each with Edit and Delete (asked first with ConfirmDialog).
//
// Test ids, from the prefix p: p-new, p-row (data-name, or the row's own
// attributes), p-edit, p-delete, p-list-title, p-notice (the last outcome), and
// the form's (AdminForm).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { Notice } from '../Notice';
import { DeleteButton, useDelete, type Loaded } from './form';

/** Column is one column of a table list. */
export interface Column<T> {
  label: string;
  cell: (item: T) => ComponentChildren;
  /** narrow hides the column on narrow screens. */
  narrow?: boolean;
  /** main marks the column that names the row. */
  main?: boolean;
  /** clip cuts a long value to one line. */
  clip?: boolean;
}

/** Outcome lets a row's own action report in the list's notice, as a save or delete does. */
export interface Outcome {
  setNotice: (s: string) => void;
  setError: (s: string) => void;
}

/** FormSlot is what the list hands the page's editor. */
export interface FormSlot<T> {
  /** item is the record being edited, null for a new one. */
  item: T | null;
  onSaved: (saved: T) => void;
  onCancel: () => void;
}

interface Props<T extends object> {
  /** idOf is a record's key (default: its id). */
  idOf?: (item: T) => string;
  prefix: string;
  title: string;
  newLabel: string;
  empty: string;
  /** intro is a line under the heading. */
  intro?: string;
  list: Loaded<T>;
  /** name is what the screen reader hears for a row ("Edit: <name>") and the delete question names. */
  name: (item: T) => string;
  deleteQuestion: (item: T) => string;
  remove: (item: T) => Promise<void>;
  /** order sorts the list after a save (none: the saved record goes last). */
  order?: (a: T, b: T) => number;
  /** merge folds a saved record into the list, when more than it changes (e.g. one default queue). */
  merge?: (items: T[], saved: T) => T[];
  /** rowAttrs are a row's data attributes (default data-name = name). */
  rowAttrs?: (item: T) => Record<string, string>;
  columns?: Column<T>[];
  /** card renders a row as a card when there are no columns: its heading and facts. */
  card?: (item: T) => ComponentChildren;
  /** actions are extra buttons of a row, before Edit and Delete; they report through outcome. */
  actions?: (item: T, index: number, outcome: Outcome) => ComponentChildren;
  form: (slot: FormSlot<T>) => ComponentChildren;
}

/** AdminList is one admin list with its editor; see the file comment. */
export function AdminList<T extends object>(p: Props<T>) {
  const { prefix, list } = p;
  const idOf = p.idOf ?? ((item: T) => (item as unknown as { id: string }).id);
  const del = useDelete();
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  // After the editor closes the keyboard goes to the saved (or edited) row's
  // Edit button, else back to New, never to the top of the page.
  const focusAfter = useRef<string | null>(null);
  useEffect(() => {
    if (editing !== null || focusAfter.current === null) return;
    const id = focusAfter.current;
    focusAfter.current = null;
    const row = id ? document.querySelector<HTMLElement>(`[data-testid=${prefix}-row][data-id="${CSS.escape(id)}"] [data-testid=${prefix}-edit]`) : null;
    (row ?? document.querySelector<HTMLElement>(`[data-testid=${prefix}-new]`))?.focus();
  }, [editing, prefix]);

  const close = (id: string) => {
    focusAfter.current = id;
    setEditing(null);
  };
  const onSaved = (saved: T) => {
    list.setItems((items) => {
      const next = p.merge ? p.merge(items, saved) : [...items.filter((x) => idOf(x) !== idOf(saved)), saved];
      return p.order ? [...next].sort(p.order) : next;
    });
    close(idOf(saved));
    del.setNotice(t('admin.saved'));
  };
  const rowProps = (item: T) => ({ 'data-id': idOf(item), ...(p.rowAttrs ? p.rowAttrs(item) : { 'data-name': p.name(item) }) });
  const actions = (item: T, i: number) => (
    <>
      {p.actions?.(item, i, del)}
      <button type="button" class="button button-small" onClick={() => setEditing(item)} aria-label={`${t('admin.edit')}: ${p.name(item)}`} data-testid={`${prefix}-edit`}>
        {t('admin.edit')}
      </button>
      <DeleteButton
        del={del}
        id={idOf(item)}
        name={p.name(item)}
        testId={`${prefix}-delete`}
        question={p.deleteQuestion(item)}
        remove={() => p.remove(item)}
        after={() => list.setItems((items) => items.filter((x) => idOf(x) !== idOf(item)))}
      />
    </>
  );

  return (
    <section class="panel" aria-labelledby={`${prefix}-list-title`} aria-busy={list.loading || undefined}>
      <div class="panel-header">
        <h2 id={`${prefix}-list-title`}>{p.title}</h2>
        <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid={`${prefix}-new`}>
          {p.newLabel}
        </button>
      </div>
      {p.intro && <p class="muted">{p.intro}</p>}
      <Notice kind="success" testId={`${prefix}-notice`}>
        {del.notice}
      </Notice>
      <Notice kind="error">{del.error || list.error}</Notice>
      {editing && p.form({ item: editing === 'new' ? null : editing, onSaved, onCancel: () => close(editing === 'new' ? '' : idOf(editing)) })}
      {list.loading && list.items.length === 0 && <p class="muted">{t('app.loading')}</p>}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{p.empty}</p>}
      {list.items.length > 0 && p.columns && (
        <div class="table-wrap">
          <table class="table" data-testid={`${prefix}-table`}>
            <thead>
              <tr>
                {p.columns.map((c) => (
                  <th key={c.label} scope="col" class={c.narrow ? 'hide-narrow' : undefined}>
                    {c.label}
                  </th>
                ))}
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item, i) => (
                <tr key={idOf(item)} data-testid={`${prefix}-row`} {...rowProps(item)}>
                  {p.columns!.map((c) => (
                    <td key={c.label} class={[c.main && 'cell-main', c.narrow && 'hide-narrow', c.clip && 'clip'].filter(Boolean).join(' ') || undefined}>
                      {c.cell(item)}
                    </td>
                  ))}
                  <td class="cell-actions">{actions(item, i)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!p.columns &&
        list.items.map((item, i) => (
          <article key={idOf(item)} class="admin-card" data-testid={`${prefix}-row`} {...rowProps(item)}>
            {p.card?.(item)}
            <div class="cell-actions">{actions(item, i)}</div>
          </article>
        ))}
      {del.element}
    </section>
  );
}
