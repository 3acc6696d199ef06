// Who is who on the knowledge pages: the API gives user ids (owner, author,
// who moved an article, who flagged it); the pages show names. The workspace's
// users are fetched once per page load and shared.
import { useEffect, useState } from 'preact/hooks';
import { conversationApi, type Queue } from '../api/conversation';
import { t } from '../i18n';
import type { User } from '../types';

let users: Promise<User[]> | undefined;
let queues: Promise<Queue[]> | undefined;

function allUsers(): Promise<User[]> {
  users ??= conversationApi.users().then((p) => p.items ?? [], () => {
    users = undefined;
    return [];
  });
  return users;
}

/** useUserNames returns a function from a user id to a name (the id itself until the list is in). */
export function useUserNames(): (id: string) => string {
  const [byID, setByID] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    allUsers().then((list) => live && setByID(new Map(list.map((u) => [u.id, u.name || u.email]))));
    return () => {
      live = false;
    };
  }, []);
  return (id: string) => (id ? byID.get(id) ?? id : t('common.none'));
}

/** useQueues returns the workspace's queues, for the article's "belongs to queues" field. */
export function useQueues(): Queue[] {
  const [list, setList] = useState<Queue[]>([]);
  useEffect(() => {
    let live = true;
    queues ??= conversationApi.queues().then((p) => p.items ?? [], () => {
      queues = undefined;
      return [];
    });
    queues.then((q) => live && setList(q));
    return () => {
      live = false;
    };
  }, []);
  return list;
}
