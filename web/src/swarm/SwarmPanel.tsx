// SwarmPanel is "Ask for help" beside a conversation: it opens a swarm room
// (a side thread the customer never sees), suggests experts with why, invites
// them in one click, and carries the room's messages and its close. It
// follows the room live: the feed's swarm.* events (ids only, members only)
// make it reload the room.
//
// Test ids: swarm-panel, swarm-ask, swarm-question, swarm-open, swarm-room,
// swarm-member (data-status), swarm-expert (data-user), swarm-why,
// swarm-invite, swarm-join, swarm-message-input, swarm-send, swarm-message,
// swarm-outcome, swarm-close, swarm-closed, swarm-article, swarm-file-input,
// swarm-file (a download link), swarm-record (a member's contribution page).
//
// ?room=<id> in the address (the invitation mail's deep link) shows that
// room when the conversation has several.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { newest } from '../newest';
import { t } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { User } from '../types';
import { fileURL, swarmApi, type Expert, type Reason, type RoomView } from './api';
import '../styles/swarm.css';

function why(r: Reason): string {
  switch (r.code) {
    case 'resolved':
    case 'linked':
    case 'noted':
    case 'helped':
      return r.text; // English from the server; counts and dates in it
    case 'load':
      return t('swarm.why.load', { n: r.count });
    case 'expert_in':
      return r.text; // "expert in cards — 14 cases"
    case 'profile':
      return r.text; // "the 40 cases they resolved share this conversation's words"
    default:
      return t(`presence.${r.text}` as 'presence.available');
  }
}

/** SwarmPanel shows the caller's room on conversation id, or "Ask for help". */
export function SwarmPanel(props: { id: string; users: User[] }) {
  const { session, realtime } = useSession();
  const me = session.user.id;
  const [view, setView] = useState<RoomView | null>(null);
  const [experts, setExperts] = useState<Expert[]>([]);
  const [asking, setAsking] = useState(false);
  const [question, setQuestion] = useState('');
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [fileKey, setFileKey] = useState(0);
  const [error, setError] = useState('');
  const name = (id: string) => props.users.find((u) => u.id === id)?.name ?? id;

  // A room is fetched again on every swarm event and when the conversation
  // changes: only the newest fetch's answer is shown (src/newest.ts).
  const ticket = useMemo(newest, []);
  const load = useCallback(async (roomId?: string) => {
    const current = ticket();
    try {
      let id = roomId;
      if (!id) {
        const mine = await swarmApi.mine();
        if (!current()) return;
        const wanted = new URLSearchParams(location.search).get('room');
        const here = mine.items.filter((r) => r.conversation_id === props.id);
        id = (here.find((r) => r.id === wanted) ?? here[0])?.id;
      }
      if (!id) {
        setView(null);
        return;
      }
      const v = await swarmApi.room(id);
      if (!current()) return;
      setView(v);
      const joined = v.members.some((m) => m.user_id === me && m.status === 'joined');
      const suggested = joined && v.room.state === 'open' ? (await swarmApi.experts(id)).items : [];
      if (current()) setExperts(suggested);
    } catch (err) {
      if (current()) setError(errorMessage(err));
    }
  }, [props.id, me, ticket]);

  useEffect(() => {
    setView(null);
    setExperts([]);
    setAsking(false);
    setError('');
    void load();
  }, [load]);

  useEffect(
    () =>
      realtime.subscribe((ev) => {
        if (!ev.type.startsWith('swarm.')) return;
        const d = ev.data as { room_id?: string; conversation_id?: string } | undefined;
        if (d?.conversation_id === props.id) void load(d.room_id);
      }),
    [realtime, props.id, load],
  );

  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  if (!view) {
    return (
      <section class="swarm" data-testid="swarm-panel" aria-label={t('swarm.title')}>
        {!asking ? (
          <button type="button" class="swarm-ask" data-testid="swarm-ask" onClick={() => setAsking(true)}>
            {t('swarm.ask')}
          </button>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void act(async () => {
                const v = await swarmApi.open(props.id, question);
                setQuestion('');
                setAsking(false);
                await load(v.room.id);
              });
            }}
          >
            <label for="swarm-question">{t('swarm.question')}</label>
            <textarea id="swarm-question" data-testid="swarm-question" value={question} required
              onInput={(e) => setQuestion((e.target as HTMLTextAreaElement).value)} />
            <p class="swarm-hint">{t('swarm.questionHint')}</p>
            <button type="submit" data-testid="swarm-open">{t('swarm.open')}</button>{' '}
            <button type="button" onClick={() => setAsking(false)}>{t('swarm.cancel')}</button>
          </form>
        )}
        {error && <p role="alert" class="swarm-error">{error}</p>}
      </section>
    );
  }

  const { room, members, messages } = view;
  const mine = members.find((m) => m.user_id === me);
  const joined = mine?.status === 'joined';
  const open = room.state === 'open';
  return (
    <section class="swarm" data-testid="swarm-panel" aria-label={t('swarm.title')}>
      <div data-testid="swarm-room" data-state={room.state}>
        <h3 class="swarm-title">{t('swarm.title')}</h3>
        <p class="swarm-question">{room.question}</p>
        <h4>{t('swarm.members')}</h4>
        <ul class="swarm-members">
          {members.map((m) => (
            <li key={m.user_id} data-testid="swarm-member" data-status={m.status}>
              <Link href={`/people/${encodeURIComponent(m.user_id)}/contributions`} data-testid="swarm-record">{name(m.user_id)}</Link>
              {m.status === 'invited' && <span class="swarm-muted"> · {t('swarm.invited')}</span>}
            </li>
          ))}
        </ul>
        {open && !joined && (
          <button type="button" data-testid="swarm-join" onClick={() => void act(async () => { await swarmApi.join(room.id); await load(room.id); })}>
            {t('swarm.join')}
          </button>
        )}
        {open && joined && (
          <>
            <h4>{t('swarm.experts')}</h4>
            {experts.length === 0 && <p class="swarm-muted">{t('swarm.noExperts')}</p>}
            <ul class="swarm-experts">
              {experts.map((x) => (
                <li key={x.user_id} data-testid="swarm-expert" data-user={x.user_id}>
                  <strong>{name(x.user_id)}</strong>
                  <ul>{x.why.map((r, i) => <li key={i} data-testid="swarm-why">{why(r)}</li>)}</ul>
                  <button type="button" data-testid="swarm-invite" aria-label={t('swarm.inviteName', { name: name(x.user_id) })}
                    onClick={() => void act(async () => { await swarmApi.invite(room.id, x.user_id); await load(room.id); })}>
                    {t('swarm.invite')}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <ol class="swarm-messages">
          {messages.map((m) => (
            <li key={m.id} data-testid="swarm-message">
              <strong>{name(m.author_id)}</strong>: {m.body}
              {(m.attachments ?? []).map((f) => (
                <a key={f.id} class="swarm-file" data-testid="swarm-file" href={fileURL(room.id, f.id)} download={f.name}>
                  {t('swarm.file', { name: f.name, size: Math.max(1, Math.round(f.size / 1024)) })}
                </a>
              ))}
            </li>
          ))}
        </ol>
        {open && joined && (
          <>
            <form onSubmit={(e) => {
              e.preventDefault();
              const mentions = members.filter((m) => m.user_id !== me && text.includes('@' + name(m.user_id))).map((m) => m.user_id);
              void act(async () => {
                const ids: string[] = [];
                for (const f of files) ids.push((await swarmApi.upload(room.id, f)).id);
                await swarmApi.say(room.id, text, mentions, ids);
                setText('');
                setFiles([]);
                setFileKey((k) => k + 1);
                await load(room.id);
              });
            }}>
              <label for="swarm-message-input">{t('swarm.message')}</label>
              <textarea id="swarm-message-input" data-testid="swarm-message-input" value={text} required={files.length === 0}
                onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
              <label for="swarm-file-input">{t('swarm.attach')}</label>
              <input key={fileKey} id="swarm-file-input" data-testid="swarm-file-input" type="file" multiple
                onChange={(e) => setFiles(Array.from((e.target as HTMLInputElement).files ?? []))} />
              <button type="submit" data-testid="swarm-send">{t('swarm.send')}</button>
            </form>
            <form onSubmit={(e) => {
              e.preventDefault();
              void act(async () => { await swarmApi.close(room.id, outcome); setOutcome(''); await load(room.id); });
            }}>
              <label for="swarm-outcome">{t('swarm.outcome')}</label>
              <textarea id="swarm-outcome" data-testid="swarm-outcome" value={outcome} required
                onInput={(e) => setOutcome((e.target as HTMLTextAreaElement).value)} />
              <button type="submit" data-testid="swarm-close">{t('swarm.close')}</button>
            </form>
          </>
        )}
        {!open && <p data-testid="swarm-closed">{t('swarm.closed', { outcome: room.outcome })}</p>}
        {/* An expert writes no articles (ADR 0032): the agent who asked turns the outcome into one. */}
        {!open && joined && session.user.role !== 'expert' && (
          <button type="button" data-testid="swarm-article"
            onClick={() => void act(async () => navigate(`/knowledge/a/${encodeURIComponent((await swarmApi.toArticle(room)).id)}`))}>
            {t('swarm.toArticle')}
          </button>
        )}
      </div>
      {error && <p role="alert" class="swarm-error">{error}</p>}
    </section>
  );
}
