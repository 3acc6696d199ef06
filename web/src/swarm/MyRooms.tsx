// MyRoomsPage is the expert's desktop (and anyone's list of their swarm rooms):
// the rooms they are invited to or in, open ones first, and beside the chosen
// one its conversation read-only with the swarm panel. An expert sees a
// conversation only through a room they are in (docs/swarm.md, "What experts
// see"), so there is no inbox and no composer to the customer here: they
// write in the room. It stays live: swarm.* events reload the list, and the
// feed carries the open room's conversation events to its members.
//
// Test ids: my-rooms, my-rooms-empty, my-room (data-room-id, data-state,
// data-status), my-room-open, room-conversation (data-conversation-id),
// room-conversation-subject, room-conversation-status, room-customer,
// room-readonly, room-conversation-error; inside, the Timeline's and the
// SwarmPanel's own ids.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { conversationApi, type Conversation, type Message, type Persona } from '../api/conversation';
import { upsertMessage } from '../conversation/logic';
import { Timeline } from '../conversation/Timeline';
import { usePageTitle } from '../hooks';
import { formatDateTime, t } from '../i18n';
import { newest } from '../newest';
import { Link } from '../router';
import { useSession } from '../session';
import type { User } from '../types';
import { swarmApi, type Room } from './api';
import { SwarmPanel } from './SwarmPanel';
import '../styles/conversation.css';
import '../styles/swarm.css';

/** Listed is a room with the caller's standing in it. */
interface Listed {
  room: Room;
  status: 'invited' | 'joined' | '';
}

/** rank puts open rooms first, and among them those the caller is only invited to. */
function rank(l: Listed): number {
  return (l.room.state === 'open' ? 0 : 2) + (l.status === 'invited' ? 0 : 1);
}

/** MyRoomsPage lists the caller's rooms and shows roomId's conversation, or conversationId's. */
export function MyRoomsPage(props: { roomId?: string; conversationId?: string }) {
  usePageTitle('rooms.title');
  const { session, realtime } = useSession();
  const me = session.user.id;
  const [rooms, setRooms] = useState<Listed[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState('');

  // Fetched again on every swarm event: only the newest answer is shown.
  const ticket = useMemo(newest, []);
  const load = useCallback(async () => {
    const current = ticket();
    try {
      const mine = (await swarmApi.mine()).items;
      const listed = await Promise.all(
        mine.map(async (room): Promise<Listed> => {
          const v = await swarmApi.room(room.id).catch(() => null);
          return { room, status: v?.members.find((m) => m.user_id === me)?.status ?? '' };
        }),
      );
      if (!current()) return;
      setRooms(listed.sort((a, b) => rank(a) - rank(b)));
      setError('');
    } catch (err) {
      if (current()) setError(errorMessage(err));
    }
  }, [me, ticket]);

  useEffect(() => {
    void load();
    conversationApi.users().then((p) => setUsers(p.items ?? []), () => undefined);
  }, [load]);
  useEffect(() => realtime.subscribe((ev) => { if (ev.type.startsWith('swarm.')) void load(); }), [realtime, load]);

  const chosen = rooms?.find((l) => l.room.id === props.roomId)?.room;
  const conversationId = chosen?.conversation_id ?? props.conversationId ?? '';

  return (
    <div class="desk rooms-desk" data-testid="my-rooms">
      <section class="rooms-list" aria-labelledby="my-rooms-title">
        <h1 id="my-rooms-title" class="rooms-title">{t('rooms.title')}</h1>
        {error && <p class="swarm-error" role="alert">{error}</p>}
        {rooms === null && !error && <p class="swarm-muted">{t('app.loading')}</p>}
        {rooms?.length === 0 && <p class="swarm-muted" data-testid="my-rooms-empty">{t('rooms.empty')}</p>}
        <ul>
          {rooms?.map(({ room, status }) => (
            <li key={room.id} data-testid="my-room" data-room-id={room.id} data-state={room.state} data-status={status}
              aria-current={room.id === chosen?.id ? 'true' : undefined}>
              <Link href={`/desktop/rooms/${encodeURIComponent(room.id)}`} data-testid="my-room-open">{room.question}</Link>
              <span class="swarm-muted">
                {' · '}{room.state === 'open' ? t(status === 'invited' ? 'rooms.invited' : 'rooms.joined') : t('rooms.closed')}
                {' · '}{formatDateTime(room.created_at)}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {conversationId ? (
        <RoomConversation key={conversationId} id={conversationId} users={users} />
      ) : (
        rooms && rooms.length > 0 && <p class="swarm-muted rooms-pick">{t('rooms.pick')}</p>
      )}
    </div>
  );
}

/** RoomConversation is one conversation read through a room: no composer, no actions. */
function RoomConversation(props: { id: string; users: User[] }) {
  const { id } = props;
  const { realtime } = useSession();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [persona, setPersona] = useState<Persona | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const c = await conversationApi.conversation(id);
        const all: Message[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const p = await conversationApi.messages(id, cursor);
          all.push(...(p.items ?? []));
          if (!p.next_cursor) break;
          cursor = p.next_cursor;
        }
        if (!live) return;
        setConversation(c);
        setMessages((fed) => fed.reduce((list, m) => upsertMessage(list, m), all));
        conversationApi.persona(c.persona_id).then((p) => live && setPersona(p), () => undefined);
      } catch (err) {
        if (live) setError(errorMessage(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [id]);

  // The feed carries this conversation's events while a room on it is open.
  useEffect(
    () =>
      realtime.subscribe((ev) => {
        const data = ev.data as Record<string, unknown> | undefined;
        if (!data) return;
        if (ev.type === 'message.created' || ev.type === 'message.updated') {
          const m = data['message'] as Message | undefined;
          if (m?.conversation_id === id) setMessages((list) => upsertMessage(list, m));
        } else if (ev.type === 'conversation.updated' && data['id'] === id) {
          setConversation(data as unknown as Conversation);
        }
      }),
    [realtime, id],
  );

  if (!conversation) {
    return (
      <section class="cv" data-testid="room-conversation" data-conversation-id={id}>
        {error ? <p class="cv-error" role="alert" data-testid="room-conversation-error">{error}</p> : <p class="cv-muted">{t('app.loading')}</p>}
      </section>
    );
  }
  return (
    <section class="cv" data-testid="room-conversation" data-conversation-id={id} aria-label={conversation.subject || t('conv.untitled')}>
      <header class="rooms-header">
        <h2 data-testid="room-conversation-subject">{conversation.subject || t('conv.untitled')}</h2>
        <span class="badge" data-testid="room-conversation-status">{conversation.status}</span>
        {persona && <span data-testid="room-customer"> · {persona.name || persona.id}</span>}
        <p class="swarm-hint" data-testid="room-readonly">{t('rooms.readOnly')}</p>
      </header>
      <SwarmPanel id={id} users={props.users} />
      <Timeline key={id} messages={messages} users={props.users} persona={persona} typing={null} />
    </section>
  );
}
