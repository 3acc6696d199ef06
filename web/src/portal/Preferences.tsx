// A business's preference page: each change is saved at once (quiet hours
// with their own button), one write at a time, and the server's answer is
// what the page then shows.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Category, type PreferenceView, type Preferences as Prefs, portalApi } from '../api/portal';
import { channelName, errorText, t } from './i18n';
import {
  categoryOn, channelOn, channelsOf, move, orderedChannels, typeOn, WEB, withCategory, withChannel, withType,
} from './logic';
import { MomentaryState } from './Momentary';
import { PushSetting } from './PushSetting';
import { QuietHours } from './QuietHours';
import { Switch } from './Switch';

type SaveStatus = { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; text: string };

const CATEGORIES: Category[] = ['critical', 'transactional', 'marketing'];

/** Preferences loads and edits the customer's preferences at one business. */
export function Preferences({ tenant, business }: { tenant: string; business: string }) {
  const [view, setView] = useState<PreferenceView | null>(null);
  const [loadError, setLoadError] = useState('');
  const [status, setStatus] = useState<SaveStatus>({ kind: 'idle' });
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  const load = () => {
    setLoadError('');
    portalApi.preferences(tenant).then(setView, (err) => setLoadError(errorText(err)));
  };
  useEffect(load, [tenant]);

  // "Saved." shows for a moment, then gets out of the way.
  useEffect(() => {
    if (status.kind !== 'saved') return;
    const timer = setTimeout(() => setStatus({ kind: 'idle' }), 4000);
    return () => clearTimeout(timer);
  }, [status]);

  /** write runs one save after the ones before it, showing the change at once and the server's answer after. */
  const write = (optimistic: Prefs | null, call: () => Promise<PreferenceView>) => {
    const before = view;
    if (optimistic && view) setView({ ...view, own: optimistic });
    setStatus({ kind: 'saving' });
    queue.current = queue.current.then(async () => {
      try {
        setView(await call());
        setStatus({ kind: 'saved' });
      } catch (err) {
        if (before) setView(before);
        setStatus({ kind: 'error', text: errorText(err) });
      }
    });
  };
  const save = (next: Prefs) => write(next, () => portalApi.setPreferences(tenant, next));

  if (loadError) {
    return (
      <div class="card">
        <p role="alert">{loadError}</p>
        <button type="button" class="btn" onClick={load}>
          {t('app.retry')}
        </button>
      </div>
    );
  }
  if (!view) return <p role="status">{t('app.loading')}</p>;

  const own = view.own ?? {};
  const channels = channelsOf(view);
  const reachable = channels.filter((c) => view.available?.includes(c));

  return (
    <div class="stack" data-testid="preferences">
      <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
        {status.kind === 'saving' && t('prefs.saving')}
        {status.kind === 'saved' && t('prefs.saved')}
      </p>
      {status.kind === 'error' && (
        <p class="alert alert-error" role="alert">
          {status.text}
        </p>
      )}

      <MomentaryState view={view} channels={channels} onSet={(m) => write(null, () => portalApi.setMomentary(tenant, m))} />

      <ChannelOrder view={view} channels={channels} onSave={save} />

      <section class="card" aria-labelledby="types-title">
        <h2 id="types-title">{t('prefs.types')}</h2>
        <p class="muted">{t('prefs.typesIntro')}</p>
        {view.types.map((type) => (
          <Switch
            key={type.key}
            label={type.name || type.key}
            hint={type.category === 'critical' ? `${t('prefs.critical')}. ${t('prefs.criticalWhy')}` : undefined}
            checked={typeOn(view, type)}
            disabled={type.category === 'critical'}
            onChange={(on) => save(withType(own, type.key, on))}
            testid={`type-${type.key}`}
          />
        ))}
      </section>

      <section class="card" aria-labelledby="categories-title">
        <h2 id="categories-title">{t('prefs.categories')}</h2>
        {CATEGORIES.map((c) => (
          <Switch
            key={c}
            label={t(`prefs.category.${c}`)}
            hint={t(`prefs.categoryHint.${c}`)}
            checked={categoryOn(view, c)}
            disabled={c === 'critical'}
            onChange={(on) => save(withCategory(own, c, on))}
            testid={`category-${c}`}
          />
        ))}
      </section>

      <QuietHours view={view} onSave={(q, zone) => save({ ...own, quiet_hours: q, time_zone: zone })} />

      <section class="card" aria-labelledby="modes-title">
        <h2 id="modes-title">{t('prefs.modes')}</h2>
        <label class="field">
          <span>{t('prefs.retrieval')}</span>
          <select value={own.retrieval ?? ''} onChange={(e) => save({ ...own, retrieval: e.currentTarget.value || undefined })} data-testid="retrieval">
            <option value="">{t('prefs.inNotice')}</option>
            <option value={WEB}>{t('prefs.web')}</option>
            {reachable.map((c) => (
              <option key={c} value={c}>
                {channelName(c)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('prefs.response')}</span>
          <select value={own.response ?? ''} onChange={(e) => save({ ...own, response: e.currentTarget.value || undefined })} data-testid="response">
            <option value="">{t('prefs.sameChannel')}</option>
            <option value={WEB}>{t('prefs.web')}</option>
            {reachable.map((c) => (
              <option key={c} value={c}>
                {channelName(c)}
              </option>
            ))}
          </select>
        </label>
      </section>

      <PushSetting tenant={tenant} business={business} />
    </div>
  );
}

interface OrderProps {
  view: PreferenceView;
  channels: string[];
  onSave: (p: Prefs) => void;
}

/** ChannelOrder switches channels on and off and ranks them with up and down buttons. */
function ChannelOrder({ view, channels, onSave }: OrderProps) {
  const own = view.own ?? {};
  const ordered = orderedChannels(channels, own.order?.length ? own.order : view.effective?.order);
  // A moved row is re-inserted in the DOM, which drops focus: put it back on
  // the button pressed (or its twin, at the end of the list).
  const focusAfter = useRef('');
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (!focusAfter.current) return;
    const [ch, dir] = focusAfter.current.split(' ');
    const other = dir === 'up' ? 'down' : 'up';
    const btn = (d: string) => list.current?.querySelector<HTMLButtonElement>(`[data-move="${ch} ${d}"]:not(:disabled)`);
    (btn(dir!) ?? btn(other))?.focus();
    focusAfter.current = '';
  });
  const moveBy = (i: number, d: number) => {
    focusAfter.current = `${ordered[i]} ${d < 0 ? 'up' : 'down'}`;
    onSave({ ...own, order: move(ordered, i, d) });
  };
  return (
    <section class="card" aria-labelledby="channels-title">
      <h2 id="channels-title">{t('prefs.channels')}</h2>
      <p class="muted">{t('prefs.channelsIntro')}</p>
      <ol class="order" ref={list} data-testid="channel-order">
        {ordered.map((ch, i) => {
          const name = channelName(ch);
          const reachable = view.available?.includes(ch);
          return (
            <li key={ch} class="order-row" data-channel={ch}>
              <Switch
                label={name}
                hint={reachable ? undefined : t('prefs.noAddress')}
                checked={channelOn(view, ch)}
                onChange={(on) => onSave(withChannel(own, ch, on))}
                testid={`channel-${ch}`}
              />
              <span class="order-moves">
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={t('prefs.moveUp', { channel: name })}
                  disabled={i === 0}
                  onClick={() => moveBy(i, -1)}
                  data-move={`${ch} up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  class="btn btn-icon"
                  aria-label={t('prefs.moveDown', { channel: name })}
                  disabled={i === ordered.length - 1}
                  onClick={() => moveBy(i, 1)}
                  data-move={`${ch} down`}
                >
                  ↓
                </button>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
