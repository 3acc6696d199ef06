// What every admin form shares: a labelled field with its hint or the API's
// reason for refusing it, a problem notice that lists the refused fields, and
// a list page's load/save/delete bookkeeping.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api';
import { useConfirm } from '../ConfirmDialog';
import { Notice } from '../Notice';
import { t } from '../../i18n';

/** fieldError is the API's reason for refusing field (or one of its parts, e.g. "hours.mon"). */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  // A create or replace refused with 409 names a taken name (queues, calendars, policies, macros).
  if (field === 'name' && err.status === 409 && err.fieldErrors.length === 0) return t('admin.nameTaken');
  return err.fieldError(field) ?? err.fieldErrors.find((e) => e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`))?.reason;
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}

/**
 * Field is a label, its control and a line under it that shows the API's reason
 * when the value was refused and the hint otherwise. The control must carry
 * id and aria-describedby={`${id}-hint`}.
 */
export function Field({ id, label, hint, error, children }: FieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {(error || hint) && (
        <p id={`${id}-hint`} class={error ? 'field-error' : 'hint'}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}

/** Problem shows a failed save: the detail, then every refused field and why. */
export function Problem({ error, testId }: { error: unknown; testId?: string }) {
  const detail = error ? errorMessage(error) : '';
  // Say each refused field once: the detail often is the only reason already.
  const fields = error instanceof ApiError ? error.fieldErrors.filter((f) => !detail.includes(f.reason)) : [];
  return (
    <Notice kind="error" testId={testId}>
      {error ? (
        <>
          {detail}
          {fields.length > 0 && (
            <ul class="small">
              {fields.map((f) => (
                <li key={f.field}>
                  <code>{f.field}</code>: {f.reason}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </Notice>
  );
}

/** Loaded is a list fetched once on mount, reloaded on demand. */
export interface Loaded<T> {
  items: T[];
  loading: boolean;
  error: string;
  reload: () => Promise<void>;
  setItems: (fn: (items: T[]) => T[]) => void;
}

/** useLoaded fetches a short, unpaginated list (queues, calendars, policies). */
export function useLoaded<T>(fetch: () => Promise<T[]>): Loaded<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setItems(await fetch());
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
    // fetch is one of supervisorApi's stable functions.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, loading, error, reload, setItems };
}

/**
 * useDelete asks before deleting, then runs del and reports the outcome. It
 * returns the dialog to render, the function to call, and the last notice/error.
 */
export function useDelete() {
  const confirm = useConfirm();
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const run = async (id: string, question: string, del: () => Promise<void>, after: () => void) => {
    if (!(await confirm.ask(question, t('common.delete')))) return;
    setBusy(id);
    setNotice('');
    setError('');
    try {
      await del();
      after();
      setNotice(t('admin.deleted'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy('');
    }
  };
  return { element: confirm.element, run, notice, error, busy, setNotice, setError };
}

/** splitList reads "a, b ,c" as ["a","b","c"]. */
export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** num reads an input's value as a whole number, 0 when empty or not a number. */
export function num(s: string): number {
  const n = Number.parseInt(s, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** useFocusOnOpen puts the keyboard in the field with id when a form opens. */
export function useFocusOnOpen(id: string): void {
  useEffect(() => document.getElementById(id)?.focus(), [id]);
}

/**
 * useReturnFocus moves the keyboard to selector when a form closes (saved or
 * cancelled), so that it does not fall back to the top of the page.
 */
export function useReturnFocus(open: boolean, selector: string): void {
  const was = useRef(open);
  useEffect(() => {
    if (was.current && !open) document.querySelector<HTMLElement>(selector)?.focus();
    was.current = open;
  }, [open, selector]);
}

interface DeleteButtonProps {
  del: ReturnType<typeof useDelete>;
  /** id keys the busy state (a record's id, or a presence state's name). */
  id: string;
  /** name is what the screen reader hears: "Delete: <name>". */
  name: string;
  testId: string;
  question: string;
  remove: () => Promise<void>;
  /** after drops the deleted record from the page's list. */
  after: () => void;
}

/** DeleteButton is a list row's delete: it asks first, then deletes and reports. */
export function DeleteButton({ del, id, name, testId, question, remove, after }: DeleteButtonProps) {
  return (
    <button
      type="button"
      class="button button-small button-danger-quiet"
      disabled={del.busy === id}
      aria-label={`${t('common.delete')}: ${name}`}
      data-testid={testId}
      onClick={() => void del.run(id, question, remove, after)}
    >
      {t('common.delete')}
    </button>
  );
}
