import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let firstPage = true;

/**
 * PageHeading is a page's h1. After an in-app navigation it takes focus, so that
 * keyboard and screen-reader users start at the new page as after a full load.
 */
export function PageHeading({ children, id }: { children: ComponentChildren; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <h1 ref={ref} id={id} tabIndex={-1} class="page-heading">
      {children}
    </h1>
  );
}
