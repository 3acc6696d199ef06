import type { ComponentChildren } from 'preact';

interface Props {
  kind: 'error' | 'success' | 'info';
  children?: ComponentChildren;
  testId?: string;
}

/**
 * Notice is a message region. Errors use role=alert so screen readers announce them
 * at once; success and info use role=status. The region stays in the DOM while empty
 * so that an announcement is made when text appears.
 */
export function Notice({ kind, children, testId }: Props) {
  const empty = children === undefined || children === null || children === '' || children === false;
  return (
    <div
      role={kind === 'error' ? 'alert' : 'status'}
      class={empty ? 'notice notice-empty' : `notice notice-${kind}`}
      data-testid={testId}
    >
      {empty ? null : children}
    </div>
  );
}
