// "Contact us": the customer writes to the business (about a notice, when
// they came from one) and reads the agents' answers, fetched every few seconds
// while the page is visible.
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Message, type Notice, portalApi } from '../api/portal';
import { navigate, useLocation } from '../router';
import { errorText, t, when } from './i18n';
import { businessPath } from './logic';

const POLL_MS = 4000;

/** Contact is the message box and the conversation thread with one business. */
export function Contact({ tenant, business }: { tenant: string; business: string }) {
  const url = useLocation();
  const noticeID = url.searchParams.get('notice') ?? '';
  const [about, setAbout] = useState<Notice | null>(null);
  const [conversation, setConversation] = useState('');
  const [messages, setMessages] = useState<Message[]>([]);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setAbout(null);
    if (noticeID) portalApi.notice(tenant, noticeID).then(setAbout, () => undefined);
  }, [tenant, noticeID]);

  // The thread to show: the newest conversation with this business.
  useEffect(() => {
    portalApi.conversations(tenant).then((cs) => setConversation(cs[0]?.id ?? ''), () => undefined);
  }, [tenant]);

  useEffect(() => {
    if (!conversation) return;
    let live = true;
    let timer = 0;
    const poll = async () => {
      if (!document.hidden) {
        try {
          const ms = await portalApi.messages(tenant, conversation);
          if (live) setMessages(ms);
        } catch {
          // A missed poll is retried on the next tick.
        }
      }
      if (live) timer = window.setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [tenant, conversation]);

  const send = async (e: Event) => {
    e.preventDefault();
    const text = body.trim();
    if (!text) return box.current?.focus();
    setBusy(true);
    setError('');
    try {
      const r = await portalApi.contact(tenant, text, about?.id);
      setBody('');
      if (r.conversation_id === conversation) setMessages(await portalApi.messages(tenant, conversation));
      else setConversation(r.conversation_id);
      if (noticeID) navigate(businessPath(tenant, 'contact'), { replace: true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack">
      <p class="muted">{t('contact.intro', { business })}</p>
      {messages.length > 0 && (
        <div role="log" aria-label={t('contact.thread', { business })}>
          <ol class="thread" data-testid="thread">
            {messages.map((m) => (
              <li key={m.id} class={m.direction === 'in' ? 'msg msg-me' : 'msg'} data-testid={m.direction === 'in' ? 'msg-me' : 'msg-them'}>
                <span class="msg-meta">
                  {m.direction === 'in' ? t('contact.you') : business} · {when(m.created_at)}
                </span>
                <span class="msg-body">{m.body}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
      <form class="card" onSubmit={send} data-testid="contact-form">
        {about && (
          <p class="context" data-testid="contact-about">
            {t('contact.about', { subject: about.subject || t('notices.untitled') })}{' '}
            <button type="button" class="btn-link" onClick={() => navigate(businessPath(tenant, 'contact'), { replace: true })}>
              {t('contact.dropContext')}
            </button>
          </p>
        )}
        <label class="field">
          <span>{t('contact.message')}</span>
          <textarea ref={box} rows={4} value={body} onInput={(e) => setBody(e.currentTarget.value)} maxLength={5000} />
        </label>
        {error && (
          <p class="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="contact-send">
          {busy ? t('contact.sending') : t('contact.send')}
        </button>
      </form>
    </div>
  );
}

