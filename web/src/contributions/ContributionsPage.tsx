// /people/:id/contributions: a person's contribution record — what they
// are expert in (learned from their work, GET /api/v1/users/{id}/expertise),
// their joins, messages, links and minutes in swarm rooms by month, and the
// latest contributions with links to their conversations.
//
// Test ids: contrib-page, contrib-area (data-kind, data-name), contrib-month
// (data-month), contrib-item.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { conversationApi } from '../api/conversation';
import { Notice } from '../components/Notice';
import { PageHeading } from '../components/PageHeading';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { Link } from '../router';
import { swarmApi, type Contribution, type ExpertArea, type Month } from '../swarm/api';
import type { User } from '../types';

interface Data {
  name: string;
  areas: ExpertArea[];
  months: Month[];
  items: Contribution[];
}

/** ContributionsPage shows the record of user id. */
export function ContributionsPage({ id }: { id: string }) {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setData(null);
    Promise.all([swarmApi.contributions(id), swarmApi.expertise(id), conversationApi.users().then((p) => p.items ?? [], () => [] as User[])]).then(
      ([c, x, users]) => {
        if (!live) return;
        const name = users.find((u) => u.id === id)?.name ?? '';
        setData({ name, areas: x.items, months: c.months, items: c.items.slice(0, 50) });
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    document.title = data?.name ? t('contrib.title', { name: data.name }) : t('contrib.titleUnknown');
  }, [data?.name]);

  return (
    <div class="page" data-testid="contrib-page" aria-busy={!data && !error}>
      <header class="page-header">
        <PageHeading>{data?.name ? t('contrib.title', { name: data.name }) : t('contrib.titleUnknown')}</PageHeading>
      </header>
      <Notice kind="error">{error}</Notice>
      {!data && !error && <p class="muted" role="status">{t('app.loading')}</p>}
      {data && (
        <>
          <section aria-labelledby="contrib-expertise">
            <h2 id="contrib-expertise">{t('contrib.expertise')}</h2>
            <p class="muted">{t('contrib.expertiseHint')}</p>
            {data.areas.length === 0 ? (
              <p class="muted">{t('contrib.noExpertise')}</p>
            ) : (
              <ul class="contrib-areas">
                {data.areas.map((a) => (
                  <li key={a.kind + a.name} data-testid="contrib-area" data-kind={a.kind} data-name={a.name}>
                    <strong>{a.cases === 1 ? t('contrib.areaOne', { name: a.name }) : t('contrib.area', { name: a.name, cases: a.cases })}</strong>{' '}
                    <span class="muted">({t(`contrib.area.${a.kind}` as MessageKey)})</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="contrib-months">
            <h2 id="contrib-months">{t('contrib.months')}</h2>
            {data.months.length === 0 ? (
              <p class="muted">{t('contrib.noMonths')}</p>
            ) : (
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('contrib.month')}</th>
                      <th scope="col">{t('contrib.rooms')}</th>
                      <th scope="col">{t('contrib.joins')}</th>
                      <th scope="col">{t('contrib.messages')}</th>
                      <th scope="col">{t('contrib.links')}</th>
                      <th scope="col">{t('contrib.minutes')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.months.map((m) => (
                      <tr key={m.month} data-testid="contrib-month" data-month={m.month}>
                        <th scope="row">{m.month}</th>
                        <td class="num">{m.rooms}</td>
                        <td class="num">{m.joins}</td>
                        <td class="num">{m.messages}</td>
                        <td class="num">{m.links}</td>
                        <td class="num">{m.minutes}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {data.items.length > 0 && (
            <section aria-labelledby="contrib-recent">
              <h2 id="contrib-recent">{t('contrib.recent')}</h2>
              <ul class="contrib-items">
                {data.items.map((c) => (
                  <li key={c.id} data-testid="contrib-item">
                    {formatDateTime(c.at)} —{' '}
                    {c.kind === 'minutes' ? t('contrib.kind.minutes', { n: c.minutes }) : t(`contrib.kind.${c.kind}` as MessageKey)}{' '}
                    <Link href={`/desktop/c/${encodeURIComponent(c.conversation_id)}?room=${encodeURIComponent(c.room_id)}`}>
                      {t('contrib.openConversation')}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}
