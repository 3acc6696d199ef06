// /admin/outbox: the demo's mail catcher. Every mail the center sent (the
// demo has no relay): the list, and one mail as the customer would see it —
// its HTML in a sandboxed frame served under a strict CSP, its plain text and
// its headers. A portal sign-in code is shown plainly, so a newcomer can sign
// in to the portal as the demo customer.
//
// Test ids: outbox-page, outbox-refresh, outbox-empty, outbox-list, outbox-row
// (data-id), outbox-open, outbox-detail, outbox-code, outbox-html, outbox-text,
// outbox-headers.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { outboxApi, signInCode, type CaughtMail, type CaughtMailDetail } from '../api/outbox';
import { Notice } from '../components/Notice';
import { formatDateTime, t } from '../i18n';
import { AdminPage } from './AdminNav';

/** POLL_MS is how often the list is read again while the page is visible: mail arrives by itself. */
const POLL_MS = 5000;

/** OutboxPage is /admin/outbox. */
export function OutboxPage() {
  const [mails, setMails] = useState<CaughtMail[] | null>(null);
  const [error, setError] = useState('');
  const [open, setOpen] = useState('');

  const load = useCallback(async () => {
    try {
      setMails(await outboxApi.mails());
      setError('');
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  return (
    <AdminPage title="outbox.title" intro="outbox.intro" testId="outbox-page">
      <Notice kind="error">{error}</Notice>
      <section class="panel" aria-labelledby="outbox-list-title">
        <div class="panel-header">
          <h2 id="outbox-list-title">{t('outbox.list')}</h2>
          <button type="button" class="button button-small" onClick={() => void load()} data-testid="outbox-refresh">
            {t('common.refresh')}
          </button>
        </div>
        {mails?.length === 0 && (
          <p class="muted" data-testid="outbox-empty">
            {t('outbox.empty')}
          </p>
        )}
        {!!mails?.length && (
          <div class="table-wrap">
            <table class="table" data-testid="outbox-list">
              <thead>
                <tr>
                  <th scope="col">{t('outbox.time')}</th>
                  <th scope="col">{t('outbox.to')}</th>
                  <th scope="col">{t('outbox.subject')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {mails.map((m) => (
                  <tr key={m.id} data-testid="outbox-row" data-id={m.id} aria-current={open === m.id ? 'true' : undefined}>
                    <td class="nowrap">{formatDateTime(m.received_at)}</td>
                    <td>{m.to.join(', ')}</td>
                    <td>{m.subject || t('outbox.noSubject')}</td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        aria-expanded={open === m.id}
                        aria-controls="outbox-detail"
                        onClick={() => setOpen(open === m.id ? '' : m.id)}
                        data-testid="outbox-open"
                      >
                        {t('outbox.open')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {open && <MailView key={open} id={open} onClose={() => setOpen('')} />}
    </AdminPage>
  );
}

function MailView({ id, onClose }: { id: string; onClose: () => void }) {
  const [m, setMail] = useState<CaughtMailDetail | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    outboxApi.mail(id).then(setMail, (err) => setError(errorMessage(err)));
  }, [id]);
  const code = m ? signInCode(m) : '';
  return (
    <section id="outbox-detail" class="panel" aria-labelledby="outbox-detail-title" data-testid="outbox-detail">
      <div class="panel-header">
        <h2 id="outbox-detail-title">{t('outbox.mailTitle', { subject: m?.subject || t('outbox.noSubject') })}</h2>
        <button type="button" class="button button-quiet" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <Notice kind="error">{error}</Notice>
      {m && (
        <>
          <dl class="facts">
            <dt>{t('outbox.from')}</dt>
            <dd>{m.from}</dd>
            <dt>{t('outbox.to')}</dt>
            <dd>{m.to.join(', ')}</dd>
            <dt>{t('outbox.time')}</dt>
            <dd>{formatDateTime(m.received_at)}</dd>
          </dl>
          {code && (
            <p class="notice notice-info" data-testid="outbox-code">
              {t('outbox.code', { code })}
            </p>
          )}
          {m.html && (
            <>
              <h3>{t('outbox.html')}</h3>
              <iframe
                class="outbox-html"
                title={t('outbox.htmlFrame')}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
                src={outboxApi.htmlURL(m.id)}
                style={{ width: '100%', minHeight: '320px', border: '1px solid var(--border, #ccc)', background: '#fff' }}
                data-testid="outbox-html"
              />
            </>
          )}
          <h3>{t('outbox.text')}</h3>
          <pre class="outbox-text" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="outbox-text">
            {m.text}
          </pre>
          {m.attachments.length > 0 && (
            <>
              <h3>{t('outbox.attachments')}</h3>
              <ul>
                {m.attachments.map((a, i) => (
                  <li key={i}>
                    {a.name || a.content_type} ({a.content_type}, {a.size} B)
                  </li>
                ))}
              </ul>
            </>
          )}
          <details>
            <summary>{t('outbox.headers')}</summary>
            <table class="table" data-testid="outbox-headers">
              <tbody>
                {(m.headers ?? []).map((h, i) => (
                  <tr key={i}>
                    <th scope="row" class="nowrap">
                      {h.name}
                    </th>
                    <td style={{ overflowWrap: 'anywhere' }}>{h.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}
