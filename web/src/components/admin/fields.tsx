// The admin forms' field components: a label, the control and the line under
// it (the API's reason when the value was refused, else the hint), wired for
// screen readers (aria-describedby, aria-invalid) in one place.
import type { ComponentChildren } from 'preact';
import { t } from '../../i18n';
import { Field } from './form';

interface Base {
  /** id is the control's id; the hint line is `${id}-hint`. */
  id: string;
  label: string;
  hint?: string;
  error?: string;
  /** testId is the control's data-testid (none when absent). */
  testId?: string;
}

/** described is what every control carries so the hint or error is read with it. */
function described(id: string, error?: string) {
  return { id, 'aria-describedby': `${id}-hint`, 'aria-invalid': error ? (true as const) : undefined };
}

/** InputAttrs are the input attributes the admin forms set beside the field's own. */
interface InputAttrs {
  type?: string;
  required?: boolean;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number;
  autocomplete?: string;
  class?: string;
  disabled?: boolean;
  readOnly?: boolean;
}

/** TextField is a labelled text input (type text, password, number…). */
export function TextField({ id, label, hint, error, testId, value, onValue, ...rest }: Base & InputAttrs & { value: string | number; onValue: (v: string) => void }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {/* rest is a few plain attributes; preact's input types want each type's literal. */}
      <input {...(rest as Record<string, unknown>)} {...described(id, error)} value={value} onInput={(e) => onValue(e.currentTarget.value)} data-testid={testId} />
    </Field>
  );
}

/** NumberField is a labelled whole-number input; empty or not a number reads as 0. */
export function NumberField({ value, onValue, ...rest }: Base & InputAttrs & { value: number; onValue: (v: number) => void }) {
  return <TextField {...rest} type="number" value={value} onValue={(v) => onValue(Number.parseInt(v, 10) || 0)} />;
}

/** TextAreaField is a labelled multi-line input. */
export function TextAreaField({
  id,
  label,
  hint,
  error,
  testId,
  value,
  onValue,
  ...rest
}: Base & { required?: boolean; rows?: number; class?: string; placeholder?: string; value: string; onValue: (v: string) => void }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <textarea {...rest} {...described(id, error)} value={value} onInput={(e) => onValue(e.currentTarget.value)} data-testid={testId} />
    </Field>
  );
}

/** SelectField is a labelled choice among options ([value, label] pairs), after any leading children. */
export function SelectField({
  id,
  label,
  hint,
  error,
  testId,
  value,
  onValue,
  options,
  children,
}: Base & { value: string; onValue: (v: string) => void; options: readonly (readonly [string, string])[]; children?: ComponentChildren }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <select {...described(id, error)} value={value} onChange={(e) => onValue(e.currentTarget.value)} data-testid={testId}>
        {children}
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** CheckField is a labelled checkbox in the field layout (label above, as the other fields). */
export function CheckField({ id, label, hint, error, testId, checked, onValue }: Base & { checked: boolean; onValue: (v: boolean) => void }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input type="checkbox" {...described(id, error)} checked={checked} onChange={(e) => onValue(e.currentTarget.checked)} data-testid={testId} />
    </Field>
  );
}

/** Checkbox is a checkbox with its label beside it, for options inside a fieldset. */
export function Checkbox({ label, checked, onValue, testId, describedBy }: { label: string; checked: boolean; onValue: (v: boolean) => void; testId?: string; describedBy?: string }) {
  return (
    <label class="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onValue(e.currentTarget.checked)} aria-describedby={describedBy} data-testid={testId} />
      <span>{label}</span>
    </label>
  );
}

interface RowsProps<R> {
  legend: string;
  hint?: string;
  rows: R[];
  onRows: (rows: R[]) => void;
  /** row renders one row's controls; patch changes that row. */
  row: (r: R, i: number, patch: (p: Partial<R>) => void) => ComponentChildren;
  /** blank is the row Add appends, given the rows so far. */
  blank: (rows: R[]) => R;
  addLabel: string;
  addDisabled?: boolean;
  addTestId?: string;
  error?: string;
}

/** RowsField is a fieldset of like rows (widening steps, overflows, escalations), each with Remove, and Add. */
export function RowsField<R>({ legend, hint, rows, onRows, row, blank, addLabel, addDisabled, addTestId, error }: RowsProps<R>) {
  return (
    <fieldset class="field">
      <legend>{legend}</legend>
      {hint && <p class="hint">{hint}</p>}
      <div class="admin-rows">
        {rows.map((r, i) => (
          <div class="admin-row" key={i}>
            {row(r, i, (p) => onRows(rows.map((x, j) => (j === i ? { ...x, ...p } : x))))}
            <button type="button" class="button button-small button-quiet" onClick={() => onRows(rows.filter((_, j) => j !== i))}>
              {t('admin.remove')}
            </button>
          </div>
        ))}
      </div>
      <button type="button" class="button button-small" disabled={addDisabled} onClick={() => onRows([...rows, blank(rows)])} data-testid={addTestId}>
        {addLabel}
      </button>
      {error && <p class="field-error">{error}</p>}
    </fieldset>
  );
}
