// The contribution pages: a person's record (every signed-in user may read
// it, as the API allows) and who worked on what (supervisors and admins).
// They load as their own chunk when first opened.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { ProblemPage } from '../pages/Problem';
import { match } from '../router';
import type { User } from '../types';

type Pages = typeof import('./pages');
let pages: Promise<Pages> | undefined;

function Loaded({ render }: { render: (m: Pages) => JSX.Element }) {
  const [mod, setMod] = useState<Pages>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    (pages ??= import('./pages')).then((m) => live && setMod(() => m), (err) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, []);
  if (mod) return render(mod);
  return (
    <div class="page" aria-busy={!error}>
      {error ? <Notice kind="error">{error}</Notice> : <p class="muted" role="status">{t('app.loading')}</p>}
    </div>
  );
}

/** contributionsRoute returns the page for path, or null when path is not one of these. */
export function contributionsRoute(path: string, user: User): JSX.Element | null {
  const person = match('/people/:id/contributions', path);
  if (person) return <Loaded render={(m) => <m.ContributionsPage key={person.id} id={person.id!} />} />;
  if (path === '/admin/swarm-work') {
    if (user.role !== 'admin' && user.role !== 'supervisor') return <ProblemPage message="error.forbidden" />;
    return <Loaded render={(m) => <m.WorkPage />} />;
  }
  return null;
}
