// Timeline is one conversation's messages across channels, oldest at the top:
// customer messages, replies, internal notes and system items each look different,
// and each message says which channel it travelled on.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { attachmentURL, type Message, type Persona } from '../api/conversation';
import { FailedDelivery } from './FailedDelivery';
import { locale, t, type MessageKey } from '../i18n';
import type { User } from '../types';
import { damageNotes, originalURL, quotedText } from './logic';
import { deletedRecordings, RecordingPlayer } from './RecordingPlayer';
import { networkOf, visibilityOf } from './social';

interface Props {
  messages: Message[];
  users: User[];
  persona: Persona | null;
  /** typing is the customer's name while they type, else null. */
  typing: string | null;
}

/** PAGE is how many timeline items render at first and per step back in time. */
const PAGE = 100;

const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });

/** Timeline lists the messages and keeps the newest in view as they arrive. */
export function Timeline(props: Props) {
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  // Long timelines render their newest PAGE items; scrolling to the top shows older ones.
  const [shown, setShown] = useState(PAGE);
  const keepFromBottom = useRef<number | null>(null);
  const hidden = Math.max(0, props.messages.length - shown);
  const visible = hidden > 0 ? props.messages.slice(hidden) : props.messages;

  // Follow new messages only when the agent was already at the bottom; after
  // revealing older ones, keep what the agent was reading in place.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [props.messages, props.typing, shown]);

  const showEarlier = () => {
    const el = list.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    setShown((n) => n + PAGE);
  };

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 40 && hidden > 0 && keepFromBottom.current === null) showEarlier();
  };

  // Calls whose recording retention deleted: their players give way to the note that says so.
  const gone = deletedRecordings(props.messages);

  const author = (m: Message): string => {
    if (m.author_type === 'persona') return props.persona?.name || t('conv.customer');
    if (m.author_type === 'user') return props.users.find((u) => u.id === m.author_id)?.name ?? t('conv.agent');
    if (m.author_type === 'api_key') return t('conv.api');
    return t('conv.system');
  };

  return (
    <div class="cv-timeline-wrap">
      <ol class="cv-timeline" ref={list} onScroll={onScroll} data-testid="timeline" aria-label={t('conv.timeline')} aria-live="polite" aria-relevant="additions" tabIndex={0}>
        {props.messages.length === 0 && <li class="cv-muted">{t('conv.noMessages')}</li>}
        {hidden > 0 && (
          <li class="cv-earlier">
            <button type="button" class="button button-small button-quiet" onClick={showEarlier} data-testid="timeline-earlier">
              {t('conv.showEarlier', { n: hidden })}
            </button>
          </li>
        )}
        {visible.map((m) => <Item key={m.id} m={m} author={author(m)} gone={gone} />)}
      </ol>
      <p class="cv-typing" aria-live="polite" data-testid="typing-indicator">
        {props.typing !== null ? t('conv.typing', { name: props.typing || props.persona?.name || t('conv.customer') }) : ''}
      </p>
    </div>
  );
}

function Item(props: { m: Message; author: string; gone: Set<string> }) {
  const { m } = props;
  const side = m.kind === 'message' ? (m.direction === 'in' ? 'in' : 'out') : m.kind;
  const when = timeFormat.format(new Date(m.created_at));
  if (m.kind === 'system') {
    return (
      <li class="cv-item cv-item-system" data-testid="timeline-item" data-kind="system" data-id={m.id}>
        <span data-testid="message-body">{m.body}</span> <time dateTime={m.created_at}>{when}</time>
        <RecordingPlayer m={m} gone={props.gone} />
      </li>
    );
  }
  return (
    <li class={`cv-item cv-item-${side}`} data-testid="timeline-item" data-kind={m.kind} data-direction={m.direction ?? ''}
      data-channel={m.channel} data-status={m.status} data-id={m.id}>
      <div class="cv-item-head">
        <strong>{props.author}</strong>
        {m.kind === 'note' ? (
          <span class="cv-badge cv-note-badge">{t('conv.note')}</span>
        ) : (
          <span class="cv-badge cv-channel" title={t('conv.viaChannel', { channel: m.channel })}>{m.channel}</span>
        )}
        {m.kind === 'message' && <VisibilityBadge channel={m.channel} />}
        <time dateTime={m.created_at}>{when}</time>
        {m.kind === 'message' && m.direction === 'out' && <StatusTicks status={m.status} />}
      </div>
      <Body m={m} />
      <Original m={m} />
      {m.kind === 'message' && m.direction === 'out' && m.status === 'failed' && <FailedDelivery m={m} />}
      {m.attachments?.length > 0 && (
        <ul class="cv-attachments">
          {m.attachments.filter((a) => !a.content_id).map((a) => (
            <li key={a.id}>
              {isVideo(a.content_type) && (
                <video controls preload="metadata" src={attachmentURL(a.id)} class="cv-media" aria-label={a.name} data-testid="message-video" />
              )}
              {isPreviewable(a.content_type) && (
                <a href={attachmentURL(a.id)} target="_blank" rel="noopener" class="cv-thumb-link" data-testid="message-image-link">
                  <img src={attachmentURL(a.id)} alt={a.name} loading="lazy" decoding="async" class="cv-thumb" data-testid="message-image" />
                </a>
              )}
              {isAudio(a.content_type) && (
                <audio controls preload="none" src={attachmentURL(a.id)} class="cv-audio" aria-label={a.name} data-testid="message-audio" />
              )}
              <a href={attachmentURL(a.id)} target="_blank" rel="noopener" data-testid="message-attachment">{a.name}</a>
              <span class="cv-muted"> ({formatSize(a.size)})</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/**
 * Original marks a mail that could not be read whole (meta.damaged, said in
 * words) and links to the message as received, which a mail program may read
 * better.
 */
function Original(props: { m: Message }) {
  const notes = damageNotes(props.m);
  const url = originalURL(props.m);
  if (!url && notes.length === 0) return null;
  return (
    <div class={notes.length > 0 ? 'cv-original cv-damaged' : 'cv-original'}>
      {notes.length > 0 && (
        <p data-testid="message-damaged" role="note">
          <strong>{t('conv.damaged')}</strong> {notes.join('; ')}
        </p>
      )}
      {url && <a href={url} download data-testid="message-original">{t('conv.downloadOriginal')}</a>}
    </div>
  );
}

function Body(props: { m: Message }) {
  const { m } = props;
  const [showQuoted, setShowQuoted] = useState(false);
  const quoted = quotedText(m);
  return (
    <div class="cv-body">
      {m.body_html ? <HtmlBody html={m.body_html} /> : <p class="cv-text" data-testid="message-body">{m.body}</p>}
      {quoted && (
        <>
          <button type="button" class="cv-quoted-toggle" aria-expanded={showQuoted} onClick={() => setShowQuoted(!showQuoted)}
            title={showQuoted ? t('conv.hideQuoted') : t('conv.showQuoted')} aria-label={showQuoted ? t('conv.hideQuoted') : t('conv.showQuoted')}
            data-testid="message-quoted-toggle">…</button>
          {showQuoted && <pre class="cv-quoted">{quoted}</pre>}
        </>
      )}
    </div>
  );
}

/**
 * HtmlBody shows an email's sanitised HTML in a sandboxed frame: no scripts, no
 * same origin, so even HTML that slipped past the sanitiser cannot reach the app.
 */
function HtmlBody(props: { html: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(120);
  const doc = `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"><style>html{color-scheme:light;background:#fff;color:#1b1f24}body{font:14px system-ui,sans-serif;margin:0.25rem;word-wrap:break-word}img{max-width:100%}</style></head><body>${props.html}</body></html>`;
  useEffect(() => {
    // Without allow-same-origin the frame cannot be measured; give it room by length.
    setHeight(Math.min(600, 60 + Math.ceil(props.html.length / 80) * 18));
  }, [props.html]);
  return (
    <iframe ref={frame} class="cv-html" title={t('conv.emailBody')} sandbox="allow-popups allow-popups-to-escape-sandbox"
      srcdoc={doc} style={{ height: `${height}px` }} data-testid="message-html" />
  );
}

function StatusTicks(props: { status: Message['status'] }) {
  const marks: Record<string, string> = { queued: '○', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };
  return (
    <span class={`cv-ticks cv-ticks-${props.status}`} data-testid="message-status" data-status={props.status}
      title={t(`conv.msgStatus.${props.status}` as MessageKey)} aria-label={t(`conv.msgStatus.${props.status}` as MessageKey)}>
      {marks[props.status] ?? ''}
    </span>
  );
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * isPreviewable tells whether an attachment is shown as a thumbnail: the raster
 * images the server serves inline (internal/download: PNG, JPEG, GIF, WebP),
 * from our own attachment endpoint, sandboxed and never sniffed. SVG is a
 * document that can carry script, so it stays a link.
 */
export function isPreviewable(contentType: string): boolean {
  return /^image\/(png|jpeg|gif|webp)\s*(;|$)/i.test(contentType ?? '');
}

/** isVideo tells whether an attachment is a video played in place: the customer's video messages from the widget (WebM). */
export function isVideo(contentType: string): boolean {
  return /^video\/webm\s*(;|$)/i.test(contentType ?? '');
}

/** isAudio tells whether an attachment is sound played in place: a voicemail, an audio message. */
export function isAudio(contentType: string): boolean {
  return /^audio\/(wav|x-wav|wave|mpeg|ogg|webm)\s*(;|$)/i.test(contentType ?? '');
}

/** VisibilityBadge says whether a social network's message was public or private. */
function VisibilityBadge({ channel }: { channel: string }) {
  const v = visibilityOf(channel);
  if (!v) return null;
  const network = networkOf(channel);
  return (
    <span class={`cv-badge cv-visibility cv-visibility-${v}`} data-testid="message-visibility" data-visibility={v}
      title={v === 'public' ? t('social.publicTitle', { network }) : t('social.privateTitle', { network })}>
      {v === 'public' ? t('social.public') : t('social.private')}
    </span>
  );
}
