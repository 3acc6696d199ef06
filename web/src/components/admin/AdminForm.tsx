// AdminForm is the editor every admin list opens: a heading, the fields, the
// API's refusal (by field and as a whole), Save and Cancel; Escape cancels.
// useSave keeps the bookkeeping of one save: busy, the error, one
// idempotency key per body so a retried create is not made twice.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useIdempotencyKey } from '../../hooks';
import { t } from '../../i18n';
import { fieldError, Problem, useFocusOnOpen } from './form';

/** Saver is one form's save state; run saves body with save (given the idempotency key for a create). */
export interface Saver<T> {
  busy: boolean;
  error: unknown;
  /** fe is the API's reason for refusing field, if it did. */
  fe: (field: string) => string | undefined;
  setError: (err: unknown) => void;
  run: <B>(body: B, save: (idempotencyKey: string) => Promise<T>) => Promise<void>;
}

/** useSave runs saves one at a time and hands the saved record to onSaved. */
export function useSave<T>(onSaved: (saved: T) => void): Saver<T> {
  const idem = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async <B,>(body: B, save: (key: string) => Promise<T>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await save(idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fe: (f) => fieldError(error, f), setError, run };
}

interface AdminFormProps {
  /** prefix names the test ids: <prefix>-form, -form-title, -save, -error. */
  prefix: string;
  title: string;
  /** first is the id of the field the keyboard starts in. */
  first: string;
  saver: Pick<Saver<unknown>, 'busy' | 'error'>;
  onSubmit: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}

/** AdminForm frames an admin editor; the page supplies the fields and what a submit saves. */
export function AdminForm({ prefix, title, first, saver, onSubmit, onCancel, children }: AdminFormProps) {
  useFocusOnOpen(first);
  return (
    <form
      class="admin-editor"
      data-testid={`${prefix}-form`}
      aria-labelledby={`${prefix}-form-title`}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <h3 id={`${prefix}-form-title`}>{title}</h3>
      {children}
      <Problem error={saver.error} testId={`${prefix}-error`} />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={saver.busy} data-testid={`${prefix}-save`}>
          {saver.busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel} data-testid={`${prefix}-cancel`}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
