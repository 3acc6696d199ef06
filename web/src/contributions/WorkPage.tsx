// /admin/swarm-work: who worked on what, for supervisors — the swarm rooms opened
// in a period, each with its members and their messages, links and minutes,
// and the same as CSV.
//
// Test ids: work-page, work-from, work-to, work-show, work-csv, work-room
// (data-room), work-person (data-user).
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { conversationApi } from '../api/conversation';
import { Notice } from '../components/Notice';
import { formatDateTime, t } from '../i18n';
import { Link } from '../router';
import { AdminPage } from '../supervisor/AdminNav';
import { swarmApi, workCSV, type RoomWork } from '../swarm/api';
import type { User } from '../types';

const DAY = 24 * 60 * 60 * 1000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** WorkPage is /admin/swarm-work. */
export function WorkPage() {
  const today = isoDay(new Date());
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 29 * DAY)));
  const [to, setTo] = useState(today);
  const [shown, setShown] = useState({ from, to });
  const [rooms, setRooms] = useState<RoomWork[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    conversationApi.users().then((p) => setUsers(p.items ?? []), () => undefined);
  }, []);
  useEffect(() => {
    let live = true;
    setRooms(null);
    swarmApi.work(shown.from, shown.to).then(
      (w) => {
        if (!live) return;
        setRooms(w.items);
        setError('');
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [shown.from, shown.to]);
  const name = (id: string) => users.find((u) => u.id === id)?.name ?? id;

  return (
    <AdminPage title="work.title" intro="work.hint" testId="work-page">
      <form
        class="kbm-period"
        onSubmit={(e) => {
          e.preventDefault();
          if (from && to && from <= to) setShown({ from, to });
        }}
      >
        <div class="field">
          <label for="work-from">{t('work.from')}</label>
          <input id="work-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} data-testid="work-from" />
        </div>
        <div class="field">
          <label for="work-to">{t('work.to')}</label>
          <input id="work-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} data-testid="work-to" />
        </div>
        <button type="submit" class="button button-primary" data-testid="work-show">
          {t('work.show')}
        </button>
        <a class="button" href={workCSV(shown.from, shown.to)} download data-testid="work-csv">
          {t('work.csv')}
        </a>
      </form>
      <Notice kind="error">{error}</Notice>
      {!rooms && !error && <p class="muted" role="status">{t('app.loading')}</p>}
      {rooms && rooms.length === 0 && <p class="muted">{t('work.none')}</p>}
      {rooms && rooms.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('work.room')}</th>
                <th scope="col">{t('work.state')}</th>
                <th scope="col">{t('work.opened')}</th>
                <th scope="col">{t('work.person')}</th>
                <th scope="col">{t('work.status')}</th>
                <th scope="col">{t('contrib.messages')}</th>
                <th scope="col">{t('contrib.links')}</th>
                <th scope="col">{t('contrib.minutes')}</th>
              </tr>
            </thead>
            <tbody>
              {rooms.flatMap((w) =>
                w.people.map((p, i) => (
                  <tr key={w.room.id + p.user_id} data-testid="work-person" data-room={w.room.id} data-user={p.user_id}>
                    {i === 0 ? (
                      <>
                        <th scope="row" rowSpan={w.people.length} data-testid="work-room" data-room={w.room.id}>
                          <Link href={`/desktop/c/${encodeURIComponent(w.room.conversation_id)}?room=${encodeURIComponent(w.room.id)}`}>{w.room.question}</Link>
                        </th>
                        <td rowSpan={w.people.length}>{w.room.state}</td>
                        <td rowSpan={w.people.length}>{formatDateTime(w.room.created_at)}</td>
                      </>
                    ) : null}
                    <td>
                      <Link href={`/people/${encodeURIComponent(p.user_id)}/contributions`}>{name(p.user_id)}</Link>
                    </td>
                    <td>{p.status}</td>
                    <td class="num">{p.messages}</td>
                    <td class="num">{p.links}</td>
                    <td class="num">{p.minutes}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}
