import { useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { t } from '../i18n';
import { EventTypePicker } from './EventTypePicker';
import { Notice } from './Notice';

/** WebhookFields is what an admin can set on an endpoint. */
export interface WebhookFields {
  url: string;
  description: string;
  event_types: string[];
}

interface Props {
  idPrefix: string;
  initial?: WebhookFields;
  submitLabel: string;
  /** onSubmit saves; a thrown ApiError's field errors are shown beside the inputs. */
  onSubmit: (v: WebhookFields) => Promise<void>;
  onCancel?: () => void;
}

const EMPTY: WebhookFields = { url: '', description: '', event_types: [] };

/** WebhookForm creates or edits an endpoint. */
export function WebhookForm({ idPrefix, initial = EMPTY, submitLabel, onSubmit, onCancel }: Props) {
  const [v, setV] = useState<WebhookFields>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [eventsMissing, setEventsMissing] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (v.event_types.length === 0) {
      setEventsMissing(true);
      return;
    }
    setEventsMissing(false);
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ ...v, url: v.url.trim(), description: v.description.trim() });
      if (!onCancel) setV(EMPTY); // a create form starts over; an edit form is closed by its owner
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) => (error instanceof ApiError ? error.fieldError(name) : undefined);
  const urlError = fieldError('url');
  const eventsError = eventsMissing ? t('webhooks.noEvents') : fieldError('event_types');

  return (
    <form onSubmit={submit} class="form" data-testid={`${idPrefix}-form`}>
      <div class="field">
        <label for={`${idPrefix}-url`}>{t('webhooks.url')}</label>
        <input
          id={`${idPrefix}-url`}
          name="url"
          type="url"
          required
          inputMode="url"
          placeholder="https://"
          spellcheck={false}
          aria-invalid={urlError ? true : undefined}
          aria-describedby={`${idPrefix}-url-hint`}
          value={v.url}
          onInput={(e) => setV({ ...v, url: e.currentTarget.value })}
        />
        <p id={`${idPrefix}-url-hint`} class={urlError ? 'field-error' : 'hint'}>
          {urlError ?? t('webhooks.urlHint')}
        </p>
      </div>
      <div class="field">
        <label for={`${idPrefix}-description`}>{t('webhooks.description')}</label>
        <input
          id={`${idPrefix}-description`}
          name="description"
          value={v.description}
          onInput={(e) => setV({ ...v, description: e.currentTarget.value })}
        />
      </div>
      <EventTypePicker
        idPrefix={`${idPrefix}-events`}
        value={v.event_types}
        onChange={(event_types) => setV({ ...v, event_types })}
        error={eventsError}
      />
      <Notice kind="error" testId={`${idPrefix}-error`}>
        {error ? errorMessage(error) : ''}
      </Notice>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid={`${idPrefix}-submit`}>
          {busy ? t('common.working') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
