// A page's heading, focused when the page opens so that a screen reader
// announces where the customer went after an in-place navigation.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** Heading is the page's h1 (or h2 inside a business's page), focused on mount. */
export function Heading({ children, level = 1 }: { children: ComponentChildren; level?: 1 | 2 }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement?.id === 'main') ref.current?.focus();
  }, []);
  const Tag = level === 1 ? 'h1' : 'h2';
  return (
    <Tag ref={ref} tabIndex={-1} class="heading">
      {children}
    </Tag>
  );
}
