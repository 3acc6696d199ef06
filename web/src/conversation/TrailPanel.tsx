// TrailPanel shows, at the top of a conversation, what the customer did in the
// help center before asking: searches and what they found, articles read and
// for how long, and the answers that did not help, in their own words. It shows
// nothing for a conversation that did not start there.
//
// Test ids: trail-panel, trail-step (data-kind page|article|search|feedback),
// trail-reason, trail-toggle.
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api';
import { t } from '../i18n';
import '../styles/trail.css';

/** TrailStep is one step of the self-service trail (GET …/trail). */
export interface TrailStep {
  at: string;
  kind: 'page' | 'article' | 'search' | 'feedback';
  title: string;
  slug: string;
  query: string;
  results: number;
  helpful: '' | 'yes' | 'no';
  reason: string;
  seconds: number;
}

interface Trail {
  session_id: string;
  started_at: string | null;
  events: TrailStep[];
}

/** FOLDED is how many steps show before "show all": the newest ones. */
const FOLDED = 6;

function spent(seconds: number): string {
  if (seconds < 60) return t('trail.seconds', { n: seconds });
  return t('trail.minutes', { m: Math.floor(seconds / 60), s: seconds % 60 });
}

function describe(e: TrailStep): string {
  switch (e.kind) {
    case 'search':
      return `${t('trail.search', { query: e.query })} — ${e.results === 0 ? t('trail.noResults') : e.results === 1 ? t('trail.oneResult') : t('trail.results', { n: e.results })}`;
    case 'article':
      return t('trail.article', { title: e.title });
    case 'feedback':
      return t(e.helpful === 'no' ? 'trail.notHelpful' : 'trail.helpful', { title: e.title });
    default:
      return t('trail.page', { title: e.title });
  }
}

/** TrailPanel loads and shows the trail of conversation id. */
export function TrailPanel(props: { id: string }) {
  const [trail, setTrail] = useState<Trail | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    setTrail(null);
    setOpen(false);
    request<Trail>('GET', `/api/v1/conversations/${encodeURIComponent(props.id)}/trail`)
      .then((tr) => live && setTrail(tr), () => undefined);
    return () => {
      live = false;
    };
  }, [props.id]);
  if (!trail || trail.events.length === 0) return null;
  const ev = trail.events;
  const total = ev.reduce((n, e) => n + e.seconds, 0);
  const shown = open || ev.length <= FOLDED ? ev : ev.slice(-FOLDED);
  return (
    <section class="trail" data-testid="trail-panel" aria-label={t('trail.title')}>
      <h3 class="trail-title">{t('trail.title')}</h3>
      <p class="trail-summary">
        {t('trail.summary', {
          searches: ev.filter((e) => e.kind === 'search').length,
          articles: ev.filter((e) => e.kind === 'article').length,
          time: spent(total),
        })}
      </p>
      <ol class="trail-steps">
        {shown.map((e, i) => (
          <li key={i} data-testid="trail-step" data-kind={e.kind} class={e.helpful === 'no' ? 'trail-bad' : undefined}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>{' '}
            <span>{describe(e)}</span>
            {e.seconds > 0 && <span class="trail-time"> · {spent(e.seconds)}</span>}
            {e.reason && <q class="trail-reason" data-testid="trail-reason">{e.reason}</q>}
          </li>
        ))}
      </ol>
      {ev.length > FOLDED && (
        <button type="button" class="trail-toggle" data-testid="trail-toggle" onClick={() => setOpen(!open)}>
          {open ? t('trail.hide') : t('trail.show', { n: ev.length })}
        </button>
      )}
    </section>
  );
}
