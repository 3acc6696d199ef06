// The agent's own load: open conversations assigned to them, kept current from
// the realtime feed, and the wrap-up that starts when one of them is finished.
import { useEffect, useRef, useState } from 'preact/hooks';
import { desktopApi, type InboxConversation, type RoutingProfile } from '../api/desktop';
import type { RealtimeClient } from '../realtime';
import { loadByModality } from './inbox';
import { conversationOf } from './useInbox';

/** MyLoad is what the presence widget shows. */
export interface MyLoad {
  profile: RoutingProfile | null;
  load: Record<string, number>;
  /** wrapUpUntil is when the current wrap-up ends (ms since the epoch), or 0. */
  wrapUpUntil: number;
}

/** mineAfter is the agent's open conversations once c, as an event tells it now, is taken into account. */
export function mineAfter(m: Map<string, InboxConversation>, c: InboxConversation | null, userId: string): Map<string, InboxConversation> {
  if (!c) return m;
  const isMine = c.assignee_id === userId && c.status === 'open';
  if (!m.has(c.id) && !isMine) return m;
  const next = new Map(m);
  if (isMine) next.set(c.id, c);
  else next.delete(c.id);
  return next;
}

/** useMyLoad follows the signed-in agent's capacity in use; an expert (holds false) is routed
 * nothing and lists no conversations, so only their routing profile loads. */
export function useMyLoad(realtime: RealtimeClient, userId: string, holds = true): MyLoad {
  const [profile, setProfile] = useState<RoutingProfile | null>(null);
  const [mine, setMine] = useState<Map<string, InboxConversation>>(new Map());
  const [wrapUpUntil, setWrapUpUntil] = useState(0);
  const wrapUp = useRef(0);
  const mineRef = useRef(mine);
  mineRef.current = mine;
  wrapUp.current = profile?.wrap_up_seconds ?? 0;

  useEffect(() => {
    desktopApi.myRouting().then(setProfile, () => setProfile(null));
    if (!holds) return undefined;
    let prev = '';
    return realtime.watchState((s) => {
      if (s === 'connected' && prev !== 'connected') {
        realtime.snapshot(() => desktopApi.conversations({ assignee_id: 'me', status: 'open' }, undefined, 199)).then(
          ({ value, since }) => {
            let m = new Map((value.items ?? []).map((c) => [c.id, c]));
            for (const ev of since) m = mineAfter(m, conversationOf(ev), userId);
            mineRef.current = m;
            setMine(m);
          },
          () => undefined,
        );
      }
      prev = s;
    });
  }, [realtime, userId, holds]);

  useEffect(
    () =>
      realtime.subscribe((ev) => {
        const c = conversationOf(ev);
        if (!c) return;
        const m = mineRef.current;
        const held = m.has(c.id);
        const next = mineAfter(m, c, userId);
        if (next === m) return;
        const isMine = next.has(c.id);
        mineRef.current = next;
        setMine(next);
        // Finishing an item starts the wrap-up routing gives before new work —
        // except a live chat released for waiting on the customer (pending),
        // which has nothing to wrap up (docs/routing.md).
        const idleRelease = c.status === 'pending' && c.channel === 'webchat';
        if (held && !isMine && !idleRelease && wrapUp.current > 0) setWrapUpUntil(Date.now() + wrapUp.current * 1000);
      }),
    [realtime, userId],
  );

  return { profile, load: loadByModality(mine.values(), userId), wrapUpUntil };
}
