// The agent's presence in the top bar: the built-in states and the workspace's
// own, the capacity in use per modality, and the wrap-up countdown after an item.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { desktopApi, type PresenceState } from '../api/desktop';
import { useMyLoad } from '../desktop/useMyLoad';
import { useNow } from '../desktop/time';
import { t, tMaybe } from '../i18n';
import { useSession } from '../session';
import { PRESENCES, type Presence } from '../types';

const MODALITIES = ['chat', 'email', 'message', 'voice', 'video'];

/** PresenceSelect lets the agent set their availability; other tabs follow via the realtime feed. */
export function PresenceSelect() {
  const { session, realtime, updateUser } = useSession();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState('');
  const [custom, setCustom] = useState<PresenceState[]>([]);
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const current: string = session.user.presence;
  const { profile, load, wrapUpUntil } = useMyLoad(realtime, session.user.id, session.user.role !== 'expert');
  const now = useNow(1000, wrapUpUntil > Date.now());
  const wrapLeft = Math.max(0, Math.ceil((wrapUpUntil - now) / 1000));

  // Routing sets an agent away who lets offers expire in a row: say so, with
  // the way back, until they choose a presence themselves.
  const [awayWhy, setAwayWhy] = useState('');
  useEffect(
    () =>
      realtime.subscribe((ev) => {
        const d = ev.data as { agent_id?: string; reason?: string } | undefined;
        if (ev.type === 'routing.set_away' && d?.agent_id === session.user.id) setAwayWhy(d.reason || ' ');
      }),
    [realtime, session.user.id],
  );
  useEffect(() => {
    if (current !== 'away') setAwayWhy('');
  }, [current]);

  useEffect(() => {
    desktopApi.presenceStates().then((p) => setCustom((p.items ?? []).filter((s) => !s.built_in)), () => setCustom([]));
  }, []);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !menu.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const change = async (next: string) => {
    const before = session.user;
    // A workspace state is a presence too; the shared User type names only the built-in four.
    updateUser({ ...before, presence: next as Presence }); // show the choice at once
    setSaving(true);
    setError('');
    try {
      updateUser(await desktopApi.setPresence(next));
    } catch (err) {
      updateUser(before);
      setError(t('topbar.presenceFailed', { detail: errorMessage(err) }));
    } finally {
      setSaving(false);
    }
  };

  const capacity = profile?.capacity ?? {};
  const modalities = MODALITIES.filter((m) => (capacity[m] ?? 0) > 0 || (load[m] ?? 0) > 0);
  const builtIn = PRESENCES.includes(current as Presence);
  const used = modalities.reduce((n, m) => n + (load[m] ?? 0), 0);
  const total = modalities.reduce((n, m) => n + (capacity[m] ?? 0), 0);

  return (
    <div class="presence" ref={menu}>
      <span class={`presence-dot presence-${builtIn ? current : 'custom'}`} aria-hidden="true" />
      <label class="visually-hidden" for="presence-select">
        {t('topbar.presence')}
      </label>
      <select
        id="presence-select"
        data-testid="presence-select"
        value={current}
        aria-busy={saving}
        aria-describedby={error ? 'presence-error' : undefined}
        onChange={(e) => void change(e.currentTarget.value)}
      >
        {PRESENCES.map((p) => (
          <option key={p} value={p}>
            {t(`presence.${p}`)}
          </option>
        ))}
        {custom.length > 0 && (
          <optgroup label={t('presence.custom')}>
            {custom.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </optgroup>
        )}
        {!builtIn && !custom.some((s) => s.name === current) && <option value={current}>{current}</option>}
      </select>
      {wrapLeft > 0 && (
        <span class="presence-wrapup" role="timer" data-testid="presence-wrapup">
          {t('presence.wrapUp', { s: wrapLeft })}
        </span>
      )}
      {total > 0 && (
        <button
          type="button"
          class="button button-small button-quiet presence-load"
          aria-expanded={open}
          aria-controls="presence-capacity"
          data-testid="presence-capacity-toggle"
          title={t('presence.menu')}
          onClick={() => setOpen((o) => !o)}
        >
          <span class="visually-hidden">{t('presence.capacity')}: </span>
          {used}/{total}
        </button>
      )}
      {open && (
        <div id="presence-capacity" class="presence-menu" data-testid="presence-capacity">
          <p class="presence-menu-title">{t('presence.capacity')}</p>
          {modalities.length === 0 ? (
            <p class="muted small">{t('presence.noCapacity')}</p>
          ) : (
            <ul>
              {modalities.map((m) => {
                const cap = capacity[m] ?? 0;
                const l = load[m] ?? 0;
                return (
                  <li key={m} data-testid={`capacity-${m}`}>
                    <span>{t('presence.load', { modality: tMaybe(`modality.${m}`, m), load: l, capacity: cap })}</span>
                    <meter min={0} max={Math.max(cap, 1)} value={l} high={Math.max(cap, 1) * 0.99} aria-hidden="true" />
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
      {awayWhy && current === 'away' && (
        <div class="presence-away-notice" role="alert" data-testid="away-notice">
          <p>{t('presence.setAway', { reason: awayWhy.trim() })}</p>
          <button type="button" class="button button-small button-primary" data-testid="away-back" onClick={() => void change('available')}>
            {t('presence.backAvailable')}
          </button>
        </div>
      )}
      {error && (
        <span id="presence-error" role="alert" class="visually-hidden">
          {error}
        </span>
      )}
    </div>
  );
}
