// Small pieces the wall runs on: a ticking clock, a refresh that never runs more
// often than a floor interval, and how durations read on a wall.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** useNow returns Date.now(), refreshed every intervalMs while the page is shown. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/**
 * useThrottled returns a trigger that runs fn at once when it last ran at least
 * floorMs ago, and otherwise once when the floor has passed: a burst of events
 * causes at most one request per floor.
 */
export function useThrottled(fn: () => void, floorMs: number): () => void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) return;
    const wait = last.current + floorMs - Date.now();
    const run = () => {
      timer.current = undefined;
      last.current = Date.now();
      latest.current();
    };
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
  }, [floorMs]);
}

/** formatSeconds reads a duration as m:ss under an hour and h:mm:ss above. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** secondsSince is how long ago iso was at now, or undefined for a missing or bad time. */
export function secondsSince(iso: string | null | undefined, now: number): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : (now - t) / 1000;
}

/** localTimeZone is the browser's IANA zone, for "today" in the supervisor's terms. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
