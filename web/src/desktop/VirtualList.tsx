// A list that keeps only the rows in view (plus a margin) in the DOM, so five
// thousand conversations scroll as smoothly as fifty. Rows have one fixed height.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Props<T> {
  items: T[];
  rowHeight: number;
  /** renderRow draws one row; index is its place in items. */
  renderRow: (item: T, index: number) => ComponentChildren;
  keyOf: (item: T) => string;
  /** onNearEnd runs when the last rows come into view, to load the next page. */
  onNearEnd?: () => void;
  /** scrollTo brings this index into view whenever it changes. */
  scrollTo?: number;
  label: string;
  testId?: string;
  footer?: ComponentChildren;
}

const OVERSCAN = 8;

/** VirtualList renders the visible slice of items inside a scrolling box. */
export function VirtualList<T>(p: Props<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  useEffect(() => {
    const el = box.current;
    const i = p.scrollTo;
    if (!el || i === undefined || i < 0) return;
    const rowTop = i * p.rowHeight;
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + p.rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + p.rowHeight - el.clientHeight;
  }, [p.scrollTo, p.rowHeight]);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setTop(box.current?.scrollTop ?? 0));
  };

  const n = p.items.length;
  const first = Math.max(0, Math.floor(top / p.rowHeight) - OVERSCAN);
  const last = Math.min(n, Math.ceil((top + height) / p.rowHeight) + OVERSCAN);

  const nearEnd = last >= n - OVERSCAN;
  const { onNearEnd } = p;
  useEffect(() => {
    if (nearEnd) onNearEnd?.();
  }, [nearEnd, n, onNearEnd]);

  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) {
    const item = p.items[i]!;
    rows.push(
      <li
        key={p.keyOf(item)}
        class="vlist-row"
        style={{ transform: `translateY(${i * p.rowHeight}px)`, height: `${p.rowHeight}px` }}
        aria-setsize={n}
        aria-posinset={i + 1}
      >
        {p.renderRow(item, i)}
      </li>,
    );
  }

  return (
    <div ref={box} class="vlist" onScroll={onScroll} data-testid={p.testId}>
      <ul class="vlist-inner" aria-label={p.label} style={{ height: `${n * p.rowHeight}px` }}>
        {rows}
      </ul>
      {p.footer}
    </div>
  );
}
