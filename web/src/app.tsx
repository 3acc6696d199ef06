// The app: finds out who is signed in, picks the page for the address, and keeps
// the realtime feed running while someone is signed in.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, setUnauthorizedHandler } from './api';
import { DeletionBanner } from './components/DeletionBanner';
import { PlanWarnings } from './components/PlanWarnings';
import { TopBar } from './components/TopBar';
import { ChannelHealthBanner } from './components/ChannelHealthBanner';
import { Offers } from './desktop/Offers';
import { CallDock } from './voice/CallDock';
import { CallbackPanel } from './voice/CallbackPanel';
import { ShortcutHelp } from './desktop/ShortcutHelp';
import { applyTheme, storedTheme } from './desktop/theme';
import { t } from './i18n';
import { ApiKeysPage } from './pages/ApiKeys';
import { DesktopPage } from './pages/Desktop';
import { LoginPage } from './pages/Login';
import { ProblemPage } from './pages/Problem';
import { ResetPasswordPage } from './pages/ResetPassword';
import { WebhookDetailPage } from './pages/WebhookDetail';
import { WebhooksPage } from './pages/Webhooks';
import { joinApi } from './api/join';
import { AccountPage } from './join/Account';
import { InvitationPage } from './join/Invitation';
import { SignupPage, SignupVerifyPage } from './join/Signup';
import { RealtimeClient } from './realtime';
import { MyRoomsPage } from './swarm/MyRooms';
import { supervisorRoute } from './routes/supervisor';
import { knowledgeRoute } from './routes/knowledge';
import { contributionsRoute } from './contributions/route';
import { currentPath, match, navigate, useLocation } from './router';
import { isAdmin, rememberTenant, SessionContext, type SessionContextValue } from './session';
import type { Presence, RealtimeEvent, Session, User } from './types';

// Set the remembered colour theme before the first paint.
applyTheme(storedTheme());

/** PRESENCE_NAME is the shape of every presence, built-in or the workspace's own. */
const PRESENCE_NAME = /^[a-z][a-z0-9_-]{0,29}$/;

type AuthState =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'anonymous'; notice?: string }
  | { kind: 'signed-in'; session: Session };

const PUBLIC_PATHS = ['/login', '/reset-password', '/signup', '/signup/verify', '/invitation'];

/** App is the root component. */
export function App() {
  const url = useLocation();
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });

  const loadSession = useCallback(async () => {
    setAuth({ kind: 'loading' });
    try {
      setAuth({ kind: 'signed-in', session: await api.me() });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setAuth({ kind: 'anonymous' });
      else setAuth({ kind: 'failed', message: errorMessage(err) });
    }
  }, []);

  const onUser = useCallback((fn: (u: User) => User) => {
    setAuth((a) => (a.kind === 'signed-in' ? { ...a, session: { ...a.session, user: fn(a.session.user) } } : a));
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => setAuth({ kind: 'anonymous' }));
    void loadSession();
  }, [loadSession]);

  // Send people where they belong once we know who they are.
  useEffect(() => {
    if (auth.kind === 'anonymous' && !PUBLIC_PATHS.includes(path)) {
      const next = path === '/' || path === '/desktop' ? '' : `?next=${encodeURIComponent(currentPath())}`;
      navigate(`/login${next}`, { replace: true });
    } else if (auth.kind === 'signed-in' && (path === '/' || path === '/login')) {
      const next = url.searchParams.get('next');
      if (next || !isAdmin(auth.session.user)) {
        navigate(safeNext(next), { replace: true });
      } else {
        // A new workspace's admin lands in its first-run wizard until it is finished or put away.
        const land = (due: boolean) => navigate(due ? '/setup' : safeNext(null), { replace: true });
        joinApi.setup().then((s) => land(s.due), () => land(false));
      }
    }
  }, [auth.kind, path, url.search]);

  if (path === '/reset-password') return <ResetPasswordPage token={url.searchParams.get('token') ?? ''} />;
  // Sign-up and invitation links sign their holder in, then go on to where they belong.
  const joined = (target: string) => (session: Session) => {
    setAuth({ kind: 'signed-in', session });
    navigate(target, { replace: true });
  };
  if (path === '/signup') return <SignupPage />;
  if (path === '/signup/verify') return <SignupVerifyPage token={url.searchParams.get('token') ?? ''} onSignedIn={joined('/setup')} />;
  if (path === '/invitation') return <InvitationPage token={url.searchParams.get('token') ?? ''} onSignedIn={joined('/desktop')} />;

  switch (auth.kind) {
    case 'loading':
      return <Splash />;
    case 'failed':
      return <Splash error={auth.message} onRetry={loadSession} />;
    case 'anonymous':
      return path === '/login' ? (
        <LoginPage
          notice={auth.notice}
          onSignedIn={(session) => {
            rememberTenant(session.tenant.slug);
            setAuth({ kind: 'signed-in', session });
          }}
        />
      ) : (
        <Splash />
      );
    case 'signed-in':
      if (auth.session.must_enrol_totp) {
        // The workspace requires a second factor: nothing else until it is set up.
        return (
          <main id="main" class="main">
            <AccountPage forced onEnrolled={loadSession} />
          </main>
        );
      }
      return (
        <SignedIn
          session={auth.session}
          path={path}
          onUser={onUser}
          onSignedOut={(notice) => setAuth({ kind: 'anonymous', notice })}
        />
      );
  }
}

/** safeNext keeps the after-login redirect on this site. */
function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/desktop';
  return next;
}

interface SignedInProps {
  session: Session;
  path: string;
  /** onUser replaces the signed-in user with what fn returns. */
  onUser: (fn: (u: User) => User) => void;
  onSignedOut: (notice?: string) => void;
}

function SignedIn({ session, path, onUser, onSignedOut }: SignedInProps) {
  const realtime = useMemo(
    () =>
      new RealtimeClient(() => {
        // After repeated failures, ask the API: a 401 here ends the session.
        api.me().catch(() => undefined);
      }),
    [],
  );

  useEffect(() => {
    realtime.start();
    return () => realtime.stop();
  }, [realtime]);

  const updateUser = useCallback((user: User) => onUser(() => user), [onUser]);

  useEffect(
    () =>
      realtime.subscribe((ev: RealtimeEvent) => {
        const change = presenceChange(ev);
        if (!change) return;
        // Another tab (or a supervisor) changed this user's presence.
        onUser((u) => (u.id === change.userId && u.presence !== change.presence ? { ...u, presence: change.presence } : u));
      }),
    [realtime, onUser],
  );

  // The session's user was read before the feed first connected: a presence
  // set in between (another tab, a supervisor, the API) reached no listener,
  // and the top bar would say "Offline" while offers arrive. Read it again
  // once connected, with the changes that arrive while that answer is out on
  // top. Reconnects resume from the last event seen, so the first is enough.
  useEffect(() => {
    let first = true;
    return realtime.watchState((state) => {
      if (state !== 'connected' || !first) return;
      first = false;
      realtime.snapshot(() => api.me()).then(({ value, since }) => {
        let presence = value.user.presence;
        for (const ev of since) {
          const change = presenceChange(ev);
          if (change && change.userId === value.user.id) presence = change.presence;
        }
        onUser((u) => (u.id === value.user.id && u.presence !== presence ? { ...u, presence } : u));
      }, () => undefined);
    });
  }, [realtime, onUser]);

  const signOut = useCallback(async () => {
    realtime.stop();
    try {
      await api.logout();
    } catch {
      // Signed out locally either way; the server session expires on its own.
    }
    onSignedOut(t('login.signedOut'));
    navigate('/login');
  }, [realtime, onSignedOut]);

  const ctx: SessionContextValue = { session, realtime, updateUser, signOut };

  return (
    <SessionContext.Provider value={ctx}>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <div class="shell">
        <TopBar />
        <DeletionBanner />
        {isDesktop(path) && session.user.role !== 'expert' && <ChannelHealthBanner />}
        <main id="main" class={isDesktop(path) ? 'main main-desk' : 'main'} tabIndex={-1}>
          {isAdmin(session.user) && path.startsWith('/admin/') && <PlanWarnings />}
          <Route path={path} user={session.user} />
        </main>
      </div>
      <Offers />
      <CallDock />
      {session.user.role !== 'expert' && <CallbackPanel />}
      <ShortcutHelp />
    </SessionContext.Provider>
  );
}

/** isDesktop tells whether path shows the desktop, which uses the full width. */
function isDesktop(path: string): boolean {
  return path === '/desktop' || path === '/' || path === '/login' || path.startsWith('/desktop/');
}

function Route({ path, user }: { path: string; user: User }) {
  // An expert has no inbox: their desktop is their rooms (docs/swarm.md).
  const expert = user.role === 'expert';
  if (path === '/desktop' || path === '/' || path === '/login') return expert ? <MyRoomsPage /> : <DesktopPage />;
  const open = match('/desktop/c/:id', path);
  if (open) return expert ? <MyRoomsPage conversationId={open.id!} /> : <DesktopPage conversationId={open.id!} />;
  if (path === '/desktop/rooms') return <MyRoomsPage />;
  const room = match('/desktop/rooms/:id', path);
  if (room) return <MyRoomsPage roomId={room.id!} />;
  const page = supervisorRoute(path, user);
  if (page) return page;
  const kb = knowledgeRoute(path, new URLSearchParams(location.search));
  if (kb) return kb;
  const contrib = contributionsRoute(path, user);
  if (contrib) return contrib;
  const admin = path.startsWith('/admin/');
  if (admin && !isAdmin(user)) return <ProblemPage message="error.forbidden" />;
  if (path === '/admin/webhooks') return <WebhooksPage />;
  const hook = match('/admin/webhooks/:id', path);
  if (hook) return <WebhookDetailPage id={hook.id!} />;
  if (path === '/admin/api-keys') return <ApiKeysPage />;
  if (path === '/account') return <AccountPage />;
  return <ProblemPage message="error.notFound" />;
}

function Splash({ error, onRetry }: { error?: string; onRetry?: () => void }) {
  return (
    <main id="main" class="auth-page">
      <div class="auth-card splash" aria-busy={!error}>
        <p class="auth-brand">{t('app.name')}</p>
        {error ? (
          <>
            <p role="alert" class="notice notice-error">
              {error}
            </p>
            <button type="button" class="button" onClick={onRetry}>
              {t('common.refresh')}
            </button>
          </>
        ) : (
          <p class="muted" role="status">
            {t('app.loading')}
          </p>
        )}
      </div>
    </main>
  );
}

/** presenceChange reads an agent.presence_changed event: whose presence, and what it is now. */
function presenceChange(ev: RealtimeEvent): { userId: string; presence: Presence } | undefined {
  if (ev.type !== 'agent.presence_changed') return undefined;
  const data = ev.data as { user_id?: string; presence?: Presence } | undefined;
  if (!data?.user_id || !data.presence || !PRESENCE_NAME.test(data.presence)) return undefined;
  return { userId: data.user_id, presence: data.presence };
}
