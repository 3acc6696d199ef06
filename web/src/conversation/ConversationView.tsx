// ConversationView is the agent's workspace for one conversation: the header with
// its state and actions, one timeline across channels, and the composer. It stays
// live over the realtime feed (messages, conversation changes, the customer typing).
//
// Test ids (stable; the e2e tests use them):
//   conversation-view, conversation-subject, conversation-customer, conversation-status,
//   conversation-priority, conversation-assignee, conversation-team, conversation-tags,
//   conversation-channel-badge, sla-clock (data-level ok|warning|breached),
//   action-resolve, action-reopen, action-snooze, snooze-preset-<1h|4h|tomorrow>, snooze-at, snooze-apply,
//   action-assign, assign-select, action-transfer, transfer-agent, transfer-queue, transfer-note, transfer-submit,
//   tag-input, tag-add, tag-remove-<tag>, priority-select, conversation-error, conversation-close,
//   timeline, timeline-item (data-kind message|note|system, data-direction, data-channel, data-status),
//   message-body, message-html, message-quoted-toggle, message-damaged, message-original, message-attachment, message-status, typing-indicator,
//   composer, composer-mode-reply, composer-mode-note, composer-channel, composer-input, composer-counter,
//   composer-send, composer-error, composer-attach, composer-file, composer-attachment, mention-option,
//   canned-option, macro-menu, macro-option.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import {
  conversationApi, type ChannelInfo, type Conversation, type Message, type Persona, type Queue, type SLAClock,
} from '../api/conversation';
import { onShortcut } from '../desktop/shortcuts';
import { t } from '../i18n';
import { announceResolved } from '../knowledge/events';
import { useSession } from '../session';
import type { User } from '../types';
import { Composer } from './Composer';
import { ConversationHeader } from './ConversationHeader';
import { PERSONA_EVENT, latestInbound, upsertMessage } from './logic';
import { Timeline } from './Timeline';
import { TrailPanel } from './TrailPanel';
import { SwarmPanel } from '../swarm/SwarmPanel';
import { CallPanel } from '../voice/CallPanel';
import '../styles/conversation.css';

/** TypingState is who is typing on the customer's side, if anyone. */
interface TypingState {
  name: string;
  until: number;
}

/** ConversationView shows conversation id; onClose lets the desktop offer a way back. */
export function ConversationView(props: { id: string; onClose?: () => void }) {
  const { id } = props;
  const { session, realtime } = useSession();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [clocks, setClocks] = useState<SLAClock[]>([]);
  const [persona, setPersona] = useState<Persona | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [channels, setChannels] = useState<ChannelInfo[]>([]);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [typing, setTyping] = useState<TypingState | null>(null);
  const lastRead = useRef('');
  const statusRef = useRef('');
  statusRef.current = conversation?.status ?? '';

  // Load the conversation, its timeline and clocks; lists the header needs load once.
  useEffect(() => {
    let live = true;
    setLoading(true);
    setConversation(null);
    setMessages([]);
    setClocks([]);
    setPersona(null);
    setError('');
    lastRead.current = '';
    (async () => {
      try {
        const c = await conversationApi.conversation(id);
        if (!live) return;
        // The feed may have told of a newer state while the request was out.
        setConversation((cur) => (cur && cur.updated_at > c.updated_at ? cur : c));
        const all: Message[] = [];
        let cursor: string | undefined;
        // The timeline pages oldest first; a conversation is read whole.
        for (let page = 0; page < 20; page++) {
          const p = await conversationApi.messages(id, cursor);
          all.push(...(p.items ?? []));
          if (!p.next_cursor) break;
          cursor = p.next_cursor;
        }
        if (!live) return;
        // What is on screen now came from the feed while the pages loaded: it goes on top.
        setMessages((fed) =>
          fed.reduce((list, m) => {
            const held = list.find((x) => x.id === m.id);
            return held && held.updated_at > m.updated_at ? list : upsertMessage(list, m);
          }, all),
        );
        conversationApi.persona(c.persona_id).then((p) => live && setPersona(p), () => undefined);
        conversationApi.sla(id).then((s) => live && setClocks(s.items ?? []), () => undefined);
      } catch (err) {
        if (live) setError(errorMessage(err));
      } finally {
        if (live) setLoading(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    conversationApi.users().then((p) => setUsers(p.items ?? []), () => undefined);
    conversationApi.queues().then((p) => setQueues(p.items ?? []), () => undefined);
    conversationApi.channels().then((p) => setChannels(p.items ?? []), () => undefined);
  }, []);

  // Live updates for this conversation only.
  useEffect(() => {
    return realtime.subscribe((ev) => {
      const data = ev.data as Record<string, unknown> | undefined;
      if (!data) return;
      switch (ev.type) {
        case 'message.created':
        case 'message.updated': {
          const m = data['message'] as Message | undefined;
          if (m?.conversation_id !== id) return;
          setMessages((list) => upsertMessage(list, m));
          const c = data['conversation'] as Conversation | undefined;
          if (c?.id === id) setConversation(c);
          if (m.direction === 'in') setTyping(null);
          if (ev.type === 'message.created' && m.kind === 'message') {
            // A reply meets a response target, a customer message starts one; the
            // routing node records it a moment after this event, so look then.
            window.setTimeout(() => conversationApi.sla(id).then((s) => setClocks(s.items ?? []), () => undefined), 1000);
          }
          return;
        }
        case 'conversation.updated':
        case 'conversation.created':
          if (data['id'] === id) {
            setConversation(data as unknown as Conversation);
            conversationApi.sla(id).then((s) => setClocks(s.items ?? []), () => undefined);
          }
          return;
        case 'sla.warning':
        case 'sla.breached':
          if (data['conversation_id'] === id) conversationApi.sla(id).then((s) => setClocks(s.items ?? []), () => undefined);
          return;
        case 'conversation.typing':
          if (data['conversation_id'] !== id || data['author_type'] !== 'persona') return;
          setTyping(data['on'] ? { name: String(data['author_name'] ?? ''), until: Date.now() + 8000 } : null);
          return;
      }
    });
  }, [realtime, id]);

  // The customer panel edits the persona; the composer's channel choice follows.
  useEffect(() => {
    const onPersona = (e: Event) => {
      const p = (e as CustomEvent<Persona>).detail;
      setPersona((cur) => (cur && p && cur.id === p.id ? p : cur));
    };
    window.addEventListener(PERSONA_EVENT, onPersona);
    return () => window.removeEventListener(PERSONA_EVENT, onPersona);
  }, []);

  // A typing signal that never got its "off" fades on its own.
  useEffect(() => {
    if (!typing) return;
    const timer = setTimeout(() => setTyping(null), Math.max(0, typing.until - Date.now()));
    return () => clearTimeout(timer);
  }, [typing]);

  // Mark the newest customer message read while the agent can see it.
  const markRead = useCallback(() => {
    const m = latestInbound(messages);
    if (!m || m.status === 'read' || lastRead.current === m.id) return;
    if (document.visibilityState !== 'visible' || !document.hasFocus()) return;
    lastRead.current = m.id;
    conversationApi.markRead(id, m.id).catch(() => {
      lastRead.current = '';
    });
  }, [messages, id]);
  useEffect(() => {
    markRead();
    window.addEventListener('focus', markRead);
    document.addEventListener('visibilitychange', markRead);
    return () => {
      window.removeEventListener('focus', markRead);
      document.removeEventListener('visibilitychange', markRead);
    };
  }, [markRead]);

  const update = useCallback(async (run: () => Promise<Conversation>) => {
    try {
      const was = statusRef.current;
      const saved = await run();
      setConversation(saved);
      if (saved.status === 'resolved' && was !== 'resolved') announceResolved(saved.id);
      setError('');
      conversationApi.sla(id).then((s) => setClocks(s.items ?? []), () => undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [id]);

  // "e" resolves the open conversation (the desktop announces the key).
  useEffect(() => {
    return onShortcut((action, ev) => {
      if (action !== 'resolve' || !conversation || conversation.status === 'resolved') return;
      ev.preventDefault();
      void update(() => conversationApi.updateConversation(id, { status: 'resolved' }));
    });
  }, [conversation, id, update]);

  if (loading && !conversation) {
    return <section class="cv" data-testid="conversation-view" aria-busy="true"><p class="cv-muted">{t('app.loading')}</p></section>;
  }
  if (!conversation) {
    return (
      <section class="cv" data-testid="conversation-view">
        <p class="cv-error" role="alert" data-testid="conversation-error">{error || t('conv.notFound')}</p>
      </section>
    );
  }

  return (
    <section class="cv" data-testid="conversation-view" aria-label={conversation.subject || t('conv.untitled')}>
      <ConversationHeader
        conversation={conversation}
        persona={persona}
        clocks={clocks}
        users={users}
        queues={queues}
        onUpdate={update}
        onClose={props.onClose}
      />
      {error && <p class="cv-error" role="alert" data-testid="conversation-error">{error}</p>}
      <TrailPanel id={conversation.id} />
      <CallPanel id={conversation.id} users={users} queues={queues} closed={conversation.status === 'resolved' || conversation.channel !== 'webchat'} />
      <SwarmPanel id={conversation.id} users={users} />
      <Timeline key={conversation.id} messages={messages} users={users} persona={persona} typing={typing?.name ?? null} />
      <Composer
        conversation={conversation}
        persona={persona}
        channels={channels}
        users={users}
        messages={messages}
        self={session.user}
        onMessage={(m, replaces) => setMessages((list) => upsertMessage(list, m, replaces))}
        onDrop={(pendingID) => setMessages((list) => list.filter((m) => m.id !== pendingID))}
        onConversation={setConversation}
      />
    </section>
  );
}
