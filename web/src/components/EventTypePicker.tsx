import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api';
import { t } from '../i18n';

/** ALL subscribes an endpoint to every event type, including ones added later. */
export const ALL = '*';

let cached: Promise<string[]> | undefined;

/** loadEventTypes fetches the subscribable event types once per page load. */
function loadEventTypes(): Promise<string[]> {
  cached ??= api.eventTypes().then(
    (r) => (Array.isArray(r.items) ? r.items : []),
    (err) => {
      cached = undefined; // let the next form try again
      throw err;
    },
  );
  return cached;
}

interface Props {
  idPrefix: string;
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
}

/** EventTypePicker is a fieldset of checkboxes, one per event type the server offers. */
export function EventTypePicker({ idPrefix, value, onChange, error }: Props) {
  const [types, setTypes] = useState<string[] | null>(null);
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    loadEventTypes().then(setTypes, (err) => setLoadError(errorMessage(err)));
  }, []);

  const everything = value.includes(ALL);
  // Show types the endpoint already has even if the server no longer lists them.
  const listed = [...(types ?? []), ...value.filter((v) => v !== ALL && !types?.includes(v))];

  const toggle = (type: string, on: boolean) =>
    onChange(on ? [...value, type] : value.filter((v) => v !== type));

  return (
    <fieldset class="field checkbox-group" aria-describedby={error ? `${idPrefix}-error` : undefined} data-testid="event-types">
      <legend>{t('webhooks.events')}</legend>
      {loadError && <p class="field-error">{loadError}</p>}
      {types === null && !loadError && <p class="muted">{t('app.loading')}</p>}
      <label class="checkbox checkbox-all">
        <input
          type="checkbox"
          name="event_types"
          value={ALL}
          checked={everything}
          onChange={(e) => onChange(e.currentTarget.checked ? [ALL] : [])}
        />
        <span>{t('webhooks.allEvents')}</span>
      </label>
      <div class="checkbox-grid">
        {listed.map((type) => (
          <label key={type} class={everything ? 'checkbox checkbox-disabled' : 'checkbox'}>
            <input
              type="checkbox"
              name="event_types"
              value={type}
              checked={everything || value.includes(type)}
              disabled={everything}
              onChange={(e) => toggle(type, e.currentTarget.checked)}
            />
            <code>{type}</code>
          </label>
        ))}
      </div>
      {error && (
        <p id={`${idPrefix}-error`} class="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
