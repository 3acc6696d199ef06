// The supervisor's and admin's pages beyond webhooks and API keys: the wall and
// the routing, channel and content settings. App's router asks here first.
import type { JSX } from 'preact';
import type { User } from '../types';

/** supervisorRoute returns the page for path, or null when path is not one of these. */
export function supervisorRoute(_path: string, _user: User): JSX.Element | null {
  return null;
}
