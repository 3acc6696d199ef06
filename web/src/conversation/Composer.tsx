// Composer writes replies (on the conversation's channel or another the customer
// has) and internal notes with @mentions; "/" inserts a canned response, the
// macro menu runs a macro. Drafts survive navigation in localStorage, keyed by
// conversation id: the composer belongs to the conversation it is given and to
// no other. Variables ({{customer.first_name}}) are filled in by the server;
// one without a value is named here and a reply is not sent until it is filled in.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { errorMessage, newIdempotencyKey } from '../api';
import {
  conversationApi, type CannedResponse, type ChannelInfo, type Conversation, type Macro, type Message,
  type Persona, type UploadedFile,
} from '../api/conversation';
import { useConfirm } from '../components/ConfirmDialog';
import { t } from '../i18n';
import { COMPOSE_INSERT_EVENT, type ComposeInsertDetail } from '../knowledge/events';
import type { User } from '../types';
import { networkOf, visibilityOf } from './social';
import {
  PENDING, defaultReplyChannel, draftKey, replaceTrigger, replyChannels, triggerAt, unresolvedVariables, type Trigger,
} from './logic';

interface Props {
  conversation: Conversation;
  persona: Persona | null;
  channels: ChannelInfo[];
  users: User[];
  messages: Message[];
  self: User;
  onMessage: (m: Message, replaces?: string) => void;
  onDrop: (pendingID: string) => void;
  onConversation: (c: Conversation) => void;
}

interface Draft {
  text: string;
  note: boolean;
  channel: string;
}

const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;

function loadDraft(id: string): Draft | null {
  try {
    const raw = localStorage.getItem(draftKey(id));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

/** Composer is the bottom of the conversation view. */
export function Composer(props: Props) {
  const { conversation: c } = props;
  const saved = useMemo(() => loadDraft(c.id), [c.id]);
  const [text, setText] = useState(saved?.text ?? '');
  const [note, setNote] = useState(saved?.note ?? false);
  const [channel, setChannel] = useState(saved?.channel ?? '');
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const [trigger, setTrigger] = useState<Trigger>(null);
  const [active, setActive] = useState(0);
  const [canned, setCanned] = useState<CannedResponse[] | null>(null);
  const [macros, setMacros] = useState<Macro[] | null>(null);
  const [macroOpen, setMacroOpen] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typingSent = useRef(0);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const sendKey = useRef({ body: '', key: '' });

  // A new conversation brings its own draft.
  useEffect(() => {
    const d = loadDraft(c.id);
    setText(d?.text ?? '');
    setNote(d?.note ?? false);
    setChannel(d?.channel ?? '');
    setFiles([]);
    setError('');
    setTrigger(null);
  }, [c.id]);

  // The knowledge panel inserts an article's resolution into this conversation's reply.
  useEffect(() => {
    const onInsert = (e: Event) => {
      const d = (e as CustomEvent<ComposeInsertDetail>).detail;
      if (d?.conversationId !== c.id || !d.text) return;
      setNote(false);
      setText((cur) => (cur.trim() ? `${cur.replace(/\s+$/, '')}\n\n${d.text}` : d.text));
      input.current?.focus();
    };
    window.addEventListener(COMPOSE_INSERT_EVENT, onInsert);
    return () => window.removeEventListener(COMPOSE_INSERT_EVENT, onInsert);
  }, [c.id]);

  useEffect(() => {
    try {
      if (text) localStorage.setItem(draftKey(c.id), JSON.stringify({ text, note, channel } satisfies Draft));
      else localStorage.removeItem(draftKey(c.id));
    } catch {
      // Storage full or disabled: the draft lives only in memory.
    }
  }, [c.id, text, note, channel]);

  const options = replyChannels(props.channels, props.persona, c.modalities);
  const fallback = defaultReplyChannel(props.messages, c.channel);
  const current = channel && options.some((o) => o.name === channel) ? channel : fallback;
  const info = props.channels.find((ch) => ch.name === current);
  const visibility = visibilityOf(current);
  const confirm = useConfirm();
  const maxLength = note ? 0 : info?.capabilities.max_length ?? 0;
  const tooLong = maxLength > 0 && text.length > maxLength;
  const unresolved = note ? [] : unresolvedVariables(text);

  // fillIn selects a variable in the draft, so typing replaces it.
  const fillIn = (name: string) => {
    const el = input.current;
    const spot = unresolvedVariables(el?.value ?? text).find((v) => v.name === name);
    if (!el || !spot) return;
    el.focus();
    el.setSelectionRange(spot.start, spot.end);
  };

  // Suggestions for the word under the caret.
  const suggestions = useMemo(() => {
    if (!trigger) return [];
    const q = trigger.query.toLowerCase();
    if (trigger.kind === 'mention') {
      return props.users
        .filter((u) => !u.disabled && (u.email.toLowerCase().startsWith(q) || u.name.toLowerCase().includes(q)))
        .slice(0, 8)
        .map((u) => ({ id: u.id, label: `${u.name} <${u.email}>`, insert: `@${u.email} ` }));
    }
    return (canned ?? [])
      .filter((r) => r.shortcut.toLowerCase().startsWith(q) || r.title.toLowerCase().includes(q))
      .slice(0, 8)
      .map((r) => ({ id: r.id, label: `/${r.shortcut} — ${r.title}`, insert: '' }));
  }, [trigger, props.users, canned]);

  const signalTyping = (on: boolean) => {
    if (note || !info?.capabilities.typing) return;
    const now = Date.now();
    clearTimeout(typingTimer.current);
    if (on) {
      if (now - typingSent.current > TYPING_EVERY_MS) {
        typingSent.current = now;
        conversationApi.typing(c.id, true).catch(() => undefined);
      }
      typingTimer.current = setTimeout(() => signalTyping(false), TYPING_IDLE_MS);
    } else if (typingSent.current) {
      typingSent.current = 0;
      conversationApi.typing(c.id, false).catch(() => undefined);
    }
  };
  useEffect(() => () => clearTimeout(typingTimer.current), []);

  const onInput = (e: Event) => {
    const el = e.target as HTMLTextAreaElement;
    setText(el.value);
    const tr = triggerAt(el.value, el.selectionStart, note);
    setTrigger(tr);
    setActive(0);
    if (tr?.kind === 'canned' && canned === null) {
      setCanned([]);
      conversationApi.cannedResponses().then((r) => setCanned(r.items ?? []), () => setCanned([]));
    }
    if (el.value) signalTyping(true);
  };

  const choose = async (i: number) => {
    const s = suggestions[i];
    const el = input.current;
    if (!s || !trigger || !el) return;
    let insert = s.insert;
    if (trigger.kind === 'canned') {
      try {
        insert = (await conversationApi.renderCanned(c.id, s.id)).body;
      } catch (err) {
        setError(errorMessage(err));
        return;
      }
    }
    const next = replaceTrigger(text, el.selectionStart, trigger.start, insert);
    setText(next.text);
    setTrigger(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  const send = async () => {
    let body = text.trim();
    if ((!body && files.length === 0) || sending || tooLong || uploading) return;
    // A public reply cannot be taken back into private: the agent says so first.
    if (!note && visibility === 'public' &&
      !(await confirm.ask(t('social.confirmPublic', { network: networkOf(current) }), t('social.confirmPost')))) return;
    setSending(true);
    setError('');
    signalTyping(false);
    if (!note && unresolvedVariables(body).length > 0) {
      // Fill in what the server knows (a variable typed by hand); what it does
      // not know stays flagged, and nothing is sent.
      const conversationID = c.id;
      try {
        body = (await conversationApi.preview(conversationID, body)).body.trim();
      } catch (err) {
        setError(errorMessage(err));
        setSending(false);
        return;
      }
      setText(body);
      const left = unresolvedVariables(body);
      if (left.length > 0) {
        setSending(false);
        requestAnimationFrame(() => fillIn(left[0]!.name));
        return;
      }
    }
    // The same text sent again after a failure reuses its key: the server stores one message.
    const fingerprint = JSON.stringify([note, current, body, files.map((f) => f.id)]);
    if (sendKey.current.body !== fingerprint) sendKey.current = { body: fingerprint, key: newIdempotencyKey() };
    const pendingID = `${PENDING}${sendKey.current.key}`;
    const now = new Date().toISOString();
    props.onMessage({
      id: pendingID, tenant_id: c.tenant_id, conversation_id: c.id, kind: note ? 'note' : 'message',
      direction: note ? undefined : 'out', channel: current, author_type: 'user', author_id: props.self.id, body,
      attachments: files.map((f) => ({ id: f.id, name: f.name, content_type: f.content_type, size: f.size })),
      status: 'queued', created_at: now, updated_at: now,
    });
    try {
      const m = note
        ? await conversationApi.note(c.id, body, sendKey.current.key)
        : await conversationApi.reply(c.id, { channel: current, body, attachment_ids: files.map((f) => f.id) }, sendKey.current.key);
      props.onMessage(m, pendingID);
      setText('');
      setFiles([]);
      sendKey.current = { body: '', key: '' };
    } catch (err) {
      props.onDrop(pendingID);
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (trigger && suggestions.length > 0) {
      if (e.key === 'ArrowDown') { e.preventDefault(); setActive((active + 1) % suggestions.length); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); setActive((active - 1 + suggestions.length) % suggestions.length); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); void choose(active); return; }
      if (e.key === 'Escape') { e.preventDefault(); setTrigger(null); return; }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape') {
      input.current?.blur();
    }
  };

  const attach = async (e: Event) => {
    const el = e.target as HTMLInputElement;
    const picked = Array.from(el.files ?? []);
    el.value = '';
    if (picked.length === 0) return;
    setUploading(true);
    setError('');
    try {
      for (const f of picked) {
        const up = await conversationApi.upload(f);
        setFiles((cur) => [...cur, up]);
      }
    } catch (err) {
      setError(t('compose.uploadFailed', { detail: errorMessage(err) }));
    } finally {
      setUploading(false);
    }
  };

  const openMacros = () => {
    setMacroOpen(!macroOpen);
    if (macros === null) conversationApi.macros().then((r) => setMacros(r.items ?? []), (err) => { setMacros([]); setError(errorMessage(err)); });
  };
  const runMacro = async (m: Macro) => {
    setMacroOpen(false);
    try {
      props.onConversation(await conversationApi.runMacro(c.id, m.id));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const listID = `composer-suggest-${c.id}`;
  return (
    <div class={`cv-composer${note ? ' cv-composer-note' : ''}`} data-testid="composer">
      <div class="cv-composer-bar">
        <div class="cv-segmented" role="radiogroup" aria-label={t('compose.mode')}>
          <button type="button" role="radio" aria-checked={!note} class={!note ? 'is-on' : ''} onClick={() => setNote(false)} data-testid="composer-mode-reply">{t('compose.reply')}</button>
          <button type="button" role="radio" aria-checked={note} class={note ? 'is-on' : ''} onClick={() => setNote(true)} data-testid="composer-mode-note">{t('compose.note')}</button>
        </div>
        {!note && (
          <label class="cv-inline">
            <span>{t('compose.channel')}</span>
            <select value={current} onChange={(e) => setChannel((e.target as HTMLSelectElement).value)} data-testid="composer-channel">
              {options.length === 0 && <option value={current}>{current}</option>}
              {options.map((o) => <option key={o.name} value={o.name}>{o.name}</option>)}
            </select>
          </label>
        )}
        {!note && visibility && (
          <span class={`cv-badge cv-visibility cv-visibility-${visibility}`} role="status" data-testid="composer-visibility" data-visibility={visibility}>
            {visibility === 'public' ? t('social.composePublic', { network: networkOf(current) }) : t('social.composePrivate')}
          </span>
        )}
        <div class="cv-macro">
          <button type="button" class="button button-small" aria-expanded={macroOpen} aria-haspopup="menu" onClick={openMacros} data-testid="macro-menu">{t('compose.macros')}</button>
          {macroOpen && (
            <ul class="cv-menu" role="menu">
              {macros === null && <li class="cv-muted">{t('app.loading')}</li>}
              {macros?.length === 0 && <li class="cv-muted">{t('compose.noMacros')}</li>}
              {macros?.map((m) => (
                <li key={m.id} role="none"><button type="button" role="menuitem" onClick={() => runMacro(m)} data-testid="macro-option">{m.name}</button></li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <div class="cv-composer-field">
        <label class="visually-hidden" for={`composer-${c.id}`}>{note ? t('compose.noteLabel') : t('compose.replyLabel')}</label>
        <textarea id={`composer-${c.id}`} ref={input} value={text} rows={3}
          placeholder={note ? t('compose.notePlaceholder') : t('compose.replyPlaceholder')}
          onInput={onInput} onKeyDown={onKeyDown} onBlur={() => signalTyping(false)}
          aria-controls={suggestions.length > 0 ? listID : undefined} aria-autocomplete="list"
          aria-activedescendant={suggestions.length > 0 ? `${listID}-${active}` : undefined}
          aria-keyshortcuts="Control+Enter Meta+Enter" data-testid="composer-input" />
        {trigger && suggestions.length > 0 && (
          <ul id={listID} class="cv-suggest" role="listbox" aria-label={trigger.kind === 'mention' ? t('compose.mentions') : t('compose.canned')}>
            {suggestions.map((s, i) => (
              <li key={s.id} id={`${listID}-${i}`} role="option" aria-selected={i === active} class={i === active ? 'is-active' : ''}
                onMouseDown={(e) => { e.preventDefault(); void choose(i); }}
                data-testid={trigger.kind === 'mention' ? 'mention-option' : 'canned-option'}>{s.label}</li>
            ))}
          </ul>
        )}
      </div>
      {files.length > 0 && (
        <ul class="cv-files">
          {files.map((f) => (
            <li key={f.id} data-testid="composer-attachment">
              {f.name}
              <button type="button" class="cv-tag-remove" aria-label={t('compose.removeFile', { name: f.name })} onClick={() => setFiles(files.filter((x) => x.id !== f.id))}>×</button>
            </li>
          ))}
        </ul>
      )}
      {unresolved.length > 0 && (
        <p class="cv-error" role="status" id={`composer-${c.id}-unresolved`} data-testid="composer-unresolved">
          {t('compose.unresolved')}{' '}
          {unresolved.map((v) => (
            <button key={v.name} type="button" class="button button-small" data-testid="composer-fill" data-variable={v.name}
              aria-label={t('compose.fillIn', { name: v.name })} onClick={() => fillIn(v.name)}>
              {`{{${v.name}}}`}
            </button>
          ))}
        </p>
      )}
      {!note && c.status === 'resolved' && (
        <p class="cv-muted" data-testid="composer-reopens">{t('compose.reopens')}</p>
      )}
      {error && <p class="cv-error" role="alert" data-testid="composer-error">{error}</p>}
      <div class="cv-composer-foot">
        {!note && info?.capabilities.attachments !== false && (
          <>
            <input ref={fileInput} type="file" multiple class="visually-hidden" id={`file-${c.id}`} tabIndex={-1} aria-label={t('compose.attach')} onChange={attach} data-testid="composer-file" />
            <button type="button" class="button button-small" onClick={() => fileInput.current?.click()} disabled={uploading} data-testid="composer-attach">
              {uploading ? t('compose.uploading') : t('compose.attach')}
            </button>
          </>
        )}
        {maxLength > 0 && (
          <span class={`cv-counter${tooLong ? ' is-over' : ''}`} aria-live="polite" data-testid="composer-counter">
            {t('compose.counter', { n: text.length, max: maxLength })}
          </span>
        )}
        <span class="cv-muted cv-hint">{t('compose.hint')}</span>
        <button type="button" class="button button-primary button-small" onClick={send}
          disabled={sending || uploading || tooLong || (!text.trim() && files.length === 0)}
          aria-describedby={unresolved.length > 0 ? `composer-${c.id}-unresolved` : undefined} data-testid="composer-send">
          {note ? t('compose.addNote') : t('compose.send')}
        </button>
      </div>
      {confirm.element}
    </div>
  );
}
