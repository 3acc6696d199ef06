// A tiny History API router: the Go server answers every unknown non-API path
// with index.html, and the app decides what to show from location.pathname.
import type { AnchorHTMLAttributes } from 'preact';
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'switchboard:navigate';

/** navigate shows path without a page load; replace keeps the back button from returning here. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
}

/** currentPath is the path and query the app is showing. */
export function currentPath(): string {
  return location.pathname + location.search;
}

/** useLocation re-renders on every navigation and returns the current URL. */
export function useLocation(): URL {
  const [href, setHref] = useState(location.href);
  useEffect(() => {
    const update = () => setHref(location.href);
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return new URL(href);
}

/** match compares a path with a pattern like /admin/webhooks/:id and returns the parameters. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (path === '/' && pattern === '/') return {};
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (!g) return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** Link is an anchor that navigates in place for plain left clicks. */
export function Link(props: LinkProps) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return h('a', { ...props, onClick });
}
