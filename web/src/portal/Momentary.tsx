// "Right now": a state the customer is in for a while (driving, a meeting, a
// quiet day) that allows only some channels and ends by itself.
import { useState } from 'preact/hooks';
import type { Momentary, PreferenceView } from '../api/portal';
import { channelName, t, tOr, when } from './i18n';
import { canCall, defaultMeetingEnd, localInputValue, momentaryActive, preset, type Preset, validTime } from './logic';

interface Props {
  view: PreferenceView;
  channels: string[];
  /** onSet saves the state; null clears it. */
  onSet: (m: Momentary | null) => void;
}

/** MomentaryState shows the state in force with a clear button, and quick choices to set one. */
export function MomentaryState({ view, channels, onSet }: Props) {
  const now = new Date();
  const m = view.own?.momentary ?? view.effective?.momentary;
  const active = momentaryActive(m, now) ? m : null;
  const [meetingEnd, setMeetingEnd] = useState(defaultMeetingEnd(now));
  const calls = canCall(view.available);
  const quick = (kind: Preset) => onSet(preset(kind, new Date(), validTime(meetingEnd) ? meetingEnd : '', view.available));

  return (
    <section class="card" aria-labelledby="moment-title">
      <h2 id="moment-title">{t('moment.title')}</h2>
      {active ? (
        <div class="moment-on" data-testid="momentary-active">
          <p>
            <strong>{t('moment.active', { state: tOr(`moment.state.${active.state}`, active.state), until: when(active.until, now) })}</strong>
            <br />
            {active.allow_channels?.length
              ? t('moment.allowed', { channels: active.allow_channels.map(channelName).join(', ') })
              : t('moment.nothing')}
            {active.allow_channels?.some((c) => !(view.available ?? []).includes(c)) && <> {t('moment.unreachable')}</>}
          </p>
          <button type="button" class="btn" onClick={() => onSet(null)} data-testid="momentary-clear">
            {t('moment.clear')}
          </button>
        </div>
      ) : (
        <p class="muted">{t('moment.intro')}</p>
      )}
      <div class="stack-small">
        <button
          type="button"
          class="btn btn-wide"
          onClick={() => quick('driving')}
          aria-describedby="moment-driving-hint"
          data-testid="moment-driving"
        >
          {t(calls ? 'moment.driving' : 'moment.drivingHold')}
        </button>
        <small id="moment-driving-hint" class="muted">
          {t(calls ? 'moment.drivingHint' : 'moment.drivingHoldHint')}
        </small>
        <div class="row row-tight">
          <button type="button" class="btn grow" onClick={() => quick('meeting')} data-testid="moment-meeting">
            {t('moment.meeting')}
          </button>
          <input
            type="time"
            class="time-small"
            aria-label={t('moment.meetingUntil')}
            value={meetingEnd}
            onInput={(e) => setMeetingEnd(e.currentTarget.value)}
          />
        </div>
        <button type="button" class="btn btn-wide" onClick={() => quick('dnd')} data-testid="moment-dnd">
          {t('moment.dnd')}
        </button>
        <Custom channels={channels} onSet={onSet} />
      </div>
    </section>
  );
}

/** Custom is a state of the customer's own naming, behind a disclosure. */
function Custom({ channels, onSet }: { channels: string[]; onSet: (m: Momentary) => void }) {
  const [state, setState] = useState('');
  const [allow, setAllow] = useState<string[]>([]);
  const [until, setUntil] = useState(localInputValue(new Date(Date.now() + 2 * 3600_000)));
  const [error, setError] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const end = new Date(until);
    if (!state.trim() || Number.isNaN(end.getTime()) || end.getTime() <= Date.now()) {
      setError(t('moment.customInvalid'));
      return;
    }
    setError('');
    onSet({ state: state.trim(), allow_channels: allow, until: end.toISOString() });
  };
  return (
    <details class="custom">
      <summary>{t('moment.custom')}</summary>
      <form onSubmit={submit} class="stack-small">
        <label class="field">
          <span>{t('moment.customState')}</span>
          <input type="text" value={state} maxLength={40} onInput={(e) => setState(e.currentTarget.value)} />
        </label>
        <fieldset class="days">
          <legend>{t('moment.customAllow')}</legend>
          {channels.map((c) => (
            <label key={c} class="day">
              <input
                type="checkbox"
                checked={allow.includes(c)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setAllow((a) => (on ? [...a, c] : a.filter((x) => x !== c)));
                }}
              />
              {channelName(c)}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span>{t('moment.customUntil')}</span>
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary">
          {t('moment.customSet')}
        </button>
      </form>
    </details>
  );
}
