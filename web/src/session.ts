// The signed-in session, shared with every component below the app shell.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { RealtimeClient } from './realtime';
import type { Session, User } from './types';

/** SessionContextValue is what a signed-in page can read and do. */
export interface SessionContextValue {
  session: Session;
  realtime: RealtimeClient;
  /** updateUser replaces the current user, e.g. after a presence change. */
  updateUser: (user: User) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

/** useSession returns the session; it is only called inside the signed-in shell. */
export function useSession(): SessionContextValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in shell');
  return s;
}

/** isAdmin tells whether the user may open the admin pages. */
export function isAdmin(user: User): boolean {
  return user.role === 'admin';
}

const LAST_TENANT = 'switchboard.lastTenant';

/** rememberedTenant is the workspace this browser last signed in to, to prefill forms. */
export function rememberedTenant(): string {
  try {
    return localStorage.getItem(LAST_TENANT) ?? '';
  } catch {
    return '';
  }
}

/** rememberTenant stores the workspace after a successful sign-in. */
export function rememberTenant(slug: string): void {
  try {
    localStorage.setItem(LAST_TENANT, slug);
  } catch {
    // Storage may be disabled; remembering the workspace is only a convenience.
  }
}
