// Small hooks shared by the pages.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, newIdempotencyKey } from './api';
import { t, type MessageKey } from './i18n';
import type { Page } from './types';

/**
 * useIdempotencyKey hands out one key per distinct request body: resubmitting the
 * same form after a timeout or a double click reuses the key, so the server creates
 * one thing; a changed body or a success starts a new key.
 */
export function useIdempotencyKey() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const b = JSON.stringify(body);
      if (!last.current || last.current.body !== b) last.current = { body: b, key: newIdempotencyKey() };
      return last.current.key;
    },
    done(): void {
      last.current = null;
    },
  };
}

/** usePageTitle sets the document title to "<page> · Switchboard". */
export function usePageTitle(key: MessageKey): void {
  useEffect(() => {
    document.title = `${t(key)} · ${t('app.name')}`;
  }, [key]);
}

/** PagedList is a cursor-paginated list held in component state. */
export interface PagedList<T> {
  items: T[];
  loading: boolean;
  error: string;
  hasMore: boolean;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  setItems: (fn: (items: T[]) => T[]) => void;
}

/**
 * usePagedList loads the first page of fetchPage on mount and whenever deps
 * change. The rows it gives are those loaded for the current deps: a new filter,
 * or another parent (another webhook's deliveries), starts empty instead of
 * showing the last one's rows under it until its page lands; reload() keeps the
 * rows while it fetches them again.
 */
export function usePagedList<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, deps: unknown[]): PagedList<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [cursor, setCursor] = useState('');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const generation = useRef(0);
  const loadedFor = useRef<unknown[]>(deps);

  const load = useCallback(async (after?: string) => {
    const gen = ++generation.current;
    const forDeps = deps;
    setLoading(true);
    try {
      const page = await fetchPage(after);
      if (gen !== generation.current) return;
      const got = Array.isArray(page.items) ? page.items : [];
      loadedFor.current = forDeps;
      setItemsState((prev) => (after ? [...prev, ...got] : got));
      setCursor(page.next_cursor ?? '');
      setError('');
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
    // fetchPage is a new closure every render; deps says when it really changes.
  }, deps);

  useEffect(() => {
    void load();
  }, [load]);

  const current = sameDeps(loadedFor.current, deps);
  return {
    items: current ? items : [],
    loading,
    error,
    hasMore: current && cursor !== '',
    reload: () => load(),
    loadMore: () => load(cursor),
    setItems: (fn) => setItemsState(fn),
  };
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
