// The portal's shell: who is signed in, which page the address shows, and the
// signed links (magic link, a notice's preference and read links) that sign a
// customer in on the way.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Business, type PortalSession, PortalError, portalApi, setSignedOutHandler } from '../api/portal';
import { Link, navigate, useLocation } from '../router';
import { BusinessPage } from './BusinessPage';
import { BusinessList } from './BusinessList';
import { errorText, t } from './i18n';
import { businessPath, parseRoute, type Route } from './logic';
import { SignIn } from './SignIn';

type Auth =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'anonymous'; notice?: string }
  | { kind: 'signed-in'; session: PortalSession };

/** PortalApp is the portal's root component. */
export function PortalApp() {
  const url = useLocation();
  const route = parseRoute(url.pathname, url.hash);
  const [auth, setAuth] = useState<Auth>({ kind: 'loading' });
  const [businesses, setBusinesses] = useState<Business[] | null>(null);
  // upgrading: a session opened by a notice's link is signing in fully. The
  // link's session stays until the code works, so nothing is lost on the way.
  const [upgrading, setUpgrading] = useState(false);

  const signedIn = useCallback((session: PortalSession) => {
    setBusinesses(null);
    setUpgrading(false);
    setAuth({ kind: 'signed-in', session });
  }, []);

  const loadSession = useCallback(async () => {
    setAuth({ kind: 'loading' });
    try {
      signedIn(await portalApi.me());
    } catch (err) {
      if (err instanceof PortalError && err.status === 401) setAuth({ kind: 'anonymous' });
      else setAuth({ kind: 'failed', message: errorText(err) });
    }
  }, [signedIn]);

  useEffect(() => {
    setSignedOutHandler(() => setAuth({ kind: 'anonymous', notice: t('signin.signedOut') }));
    if (!isLink(route)) void loadSession();
  }, []);

  // A signed link signs in and then shows what it points at.
  const linkToken = isLink(route) ? route.token : '';
  useEffect(() => {
    if (!isLink(route) || !route.token) return;
    let live = true;
    setAuth({ kind: 'loading' });
    portalApi
      .openLink(route.token)
      .then((r) => {
        if (!live) return;
        signedIn(r.session);
        const tenant = r.session.tenant_id;
        if (route.page === 'notice-link' && tenant && r.notice_id) navigate(businessPath(tenant, 'notices', r.notice_id), { replace: true });
        else if (route.page === 'prefs-link' && tenant) navigate(businessPath(tenant), { replace: true });
        else navigate('/portal', { replace: true });
      })
      .catch((err) => {
        if (!live) return;
        history.replaceState(null, '', '/portal/login'); // drop the spent token from the address
        window.dispatchEvent(new PopStateEvent('popstate'));
        setAuth({ kind: 'anonymous', notice: err instanceof PortalError ? t('signin.linkFailed') : errorText(err) });
      });
    return () => {
      live = false;
    };
  }, [linkToken]);

  const session = auth.kind === 'signed-in' ? auth.session : null;
  const loadBusinesses = useCallback(() => {
    portalApi.businesses().then(setBusinesses, () => setBusinesses((bs) => bs ?? []));
  }, []);
  useEffect(() => {
    if (session) loadBusinesses();
  }, [session]);

  // Keep the address in step with who is signed in.
  useEffect(() => {
    if (auth.kind === 'anonymous' && route.page !== 'login') navigate('/portal/login', { replace: true });
    if (auth.kind === 'signed-in' && route.page === 'login') navigate('/portal', { replace: true });
  }, [auth.kind, route.page]);

  const signOut = async () => {
    try {
      await portalApi.signOut();
    } catch {
      // Signed out here either way; the server's session expires by itself.
    }
    setAuth({ kind: 'anonymous', notice: t('signin.signedOut') });
  };

  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <Link class="brand" href="/portal">
          {t('app.name')}
        </Link>
        {session && (
          <button type="button" class="btn btn-quiet" onClick={signOut} data-testid="sign-out">
            {t('app.signOut')}
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {auth.kind === 'loading' && <Status text={isLink(route) ? t('signin.opening') : t('app.loading')} />}
        {auth.kind === 'failed' && <Status text={auth.message} onRetry={loadSession} />}
        {auth.kind === 'anonymous' && <SignIn notice={auth.notice} onSignedIn={signedIn} />}
        {session && upgrading && (
          <SignIn
            notice={t('app.upgradeIntro')}
            initial={session.identifier.replace(/^(email|phone):/, '')}
            onSignedIn={(s) => {
              signedIn(s);
              navigate('/portal');
            }}
            onCancel={() => setUpgrading(false)}
            cancelLabel={t('app.limitedCancel')}
          />
        )}
        {session && !upgrading && (
          <Page route={route} session={session} businesses={businesses} onSignIn={() => setUpgrading(true)} onRead={loadBusinesses} />
        )}
      </main>
    </>
  );
}

function isLink(r: Route): r is Extract<Route, { token: string }> {
  return (r.page === 'login' && !!r.token) || r.page === 'prefs-link' || r.page === 'notice-link';
}

interface PageProps {
  route: Route;
  session: PortalSession;
  businesses: Business[] | null;
  /** onSignIn starts a full sign-in from a session a notice's link opened. */
  onSignIn: () => void;
  /** onRead is called when a notice was opened: the unread counts changed. */
  onRead: () => void;
}

function Page({ route, session, businesses, onSignIn, onRead }: PageProps) {
  const limited = !!session.persona_id;
  const banner = limited && (
    <p class="banner" data-testid="limited">
      {t('app.limited')}{' '}
      <button type="button" class="btn-link" onClick={onSignIn} data-testid="limited-sign-in">
        {t('app.limitedSignIn')}
      </button>
    </p>
  );
  switch (route.page) {
    case 'home':
      return (
        <>
          {banner}
          <BusinessList businesses={businesses} />
        </>
      );
    case 'business': {
      const b = businesses?.find((x) => x.tenant_id === route.tenant);
      return (
        <>
          {banner}
          <BusinessPage tenant={route.tenant} business={b} loading={businesses === null} tab={route.tab} notice={route.notice} onRead={onRead} />
        </>
      );
    }
    case 'not-found':
      return (
        <section class="card">
          <h1>{t('app.notFound')}</h1>
          <Link href="/portal">{t('app.home')}</Link>
        </section>
      );
    default:
      return <Status text={t('signin.opening')} />;
  }
}

function Status({ text, onRetry }: { text: string; onRetry?: () => void }) {
  return (
    <section class="card" aria-busy={!onRetry}>
      <p role={onRetry ? 'alert' : 'status'}>{text}</p>
      {onRetry && (
        <button type="button" class="btn" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </section>
  );
}
