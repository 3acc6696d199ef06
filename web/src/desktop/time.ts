// Short, human times for the desktop: "4 min", "2 h", and a clock that ticks.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';

/** since says how long ago iso was, coarsely ("now", "4 min", "2 h", "3 d"). */
export function since(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return span(Math.max(0, ms));
}

/** until says how long until iso ("in 4 min"), or how long overdue it is. */
export function until(iso: string | null | undefined, now: number): { text: string; overdue: boolean } {
  if (!iso) return { text: '', overdue: false };
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return { text: '', overdue: false };
  if (ms < 0) return { text: t('time.overdue', { time: span(-ms) }), overdue: true };
  const min = Math.ceil(ms / 60_000);
  return { text: min < 60 ? t('time.inMinutes', { n: min }) : span(ms), overdue: false };
}

function span(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return t('time.now');
  if (min < 60) return t('time.minutes', { n: min });
  const h = Math.floor(min / 60);
  if (h < 48) return t('time.hours', { n: h });
  return t('time.days', { n: Math.floor(h / 24) });
}

/** useNow re-renders every everyMs and returns the current time in ms. */
export function useNow(everyMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs, active]);
  return now;
}
