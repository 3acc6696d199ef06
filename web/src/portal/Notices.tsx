// The notices a business sent the customer, newest first; opening one shows
// its full content and marks it read, and "Reply" writes to the business
// with the notice as context.
import { useEffect, useState } from 'preact/hooks';
import { type Notice, portalApi } from '../api/portal';
import { Link } from '../router';
import { channelName, errorText, t, tOr, when } from './i18n';
import { businessPath, linkParts } from './logic';

interface Props {
  tenant: string;
  /** open is the notice to show, from the address. */
  open?: string;
  /** onRead is called once an opened notice has been marked read. */
  onRead: () => void;
}

/** UNREAD are the statuses of a notice the customer has not opened yet. */
const UNREAD = ['sent', 'delivered'];

/** Notices lists the notices, or shows the one the address names. */
export function Notices({ tenant, open, onRead }: Props) {
  return open ? <NoticeView tenant={tenant} id={open} onRead={onRead} /> : <NoticeList tenant={tenant} />;
}

function NoticeList({ tenant }: { tenant: string }) {
  const [items, setItems] = useState<Notice[] | null>(null);
  const [next, setNext] = useState('');
  const [error, setError] = useState('');
  const load = (cursor?: string) =>
    portalApi.notices(tenant, cursor).then(
      (page) => {
        setItems((old) => [...(cursor ? (old ?? []) : []), ...(page.items ?? [])]);
        setNext(page.next_cursor ?? '');
      },
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), [tenant]);

  if (error) return <p role="alert">{error}</p>;
  if (!items) return <p role="status">{t('app.loading')}</p>;
  if (!items.length) return <p class="card">{t('notices.empty')}</p>;
  return (
    <>
      <NoticeItems tenant={tenant} items={items} />
      {next && (
        <button type="button" class="btn btn-wide" onClick={() => void load(next)} data-testid="notices-more">
          {t('notices.more')}
        </button>
      )}
    </>
  );
}

function NoticeItems({ tenant, items }: { tenant: string; items: Notice[] }) {
  return (
    <ul class="list" data-testid="notices">
      {items.map((n) => (
        <li key={n.id}>
          <Link class={UNREAD.includes(n.status) ? 'list-item unread' : 'list-item'} href={businessPath(tenant, 'notices', n.id)} data-testid="notice">
            <span class="grow">
              <strong>{n.subject || t('notices.untitled')}</strong>
              <span class="muted block">
                {when(n.created_at)} · {t('notices.via', { channel: channelName(n.channel) })}
              </span>
            </span>
            <Status status={n.status} />
          </Link>
        </li>
      ))}
    </ul>
  );
}

function NoticeView({ tenant, id, onRead }: { tenant: string; id: string; onRead: () => void }) {
  const [n, setNotice] = useState<Notice | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setNotice(null);
    portalApi.notice(tenant, id).then(
      (n) => {
        setNotice(n);
        onRead();
      },
      (err) => setError(errorText(err) || t('notices.notFound')),
    );
  }, [tenant, id]);

  return (
    <article class="card" data-testid="notice-view">
      <p>
        <Link href={businessPath(tenant, 'notices')}>← {t('notices.back')}</Link>
      </p>
      {error ? (
        <p role="alert">{error}</p>
      ) : !n ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <h2>{n.subject || t('notices.untitled')}</h2>
          <p class="muted">
            {when(n.created_at)} · {t('notices.via', { channel: channelName(n.channel) })} · <Status status={n.status} />
          </p>
          <div class="notice-body" data-testid="notice-body">
            {linkParts(n.body).map((part, i) =>
              part.url ? (
                <a key={i} href={part.url} rel="noopener noreferrer">
                  {part.text}
                </a>
              ) : (
                part.text
              ),
            )}
          </div>
          <Link class="btn btn-primary" href={`${businessPath(tenant, 'contact')}?notice=${encodeURIComponent(n.id)}`} data-testid="notice-reply">
            {t('notices.reply')}
          </Link>
        </>
      )}
    </article>
  );
}

/** Status shows a notice's status as a word, never colour alone. */
function Status({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`} data-testid="notice-status">
      {tOr(`status.${status}`, status)}
    </span>
  );
}
