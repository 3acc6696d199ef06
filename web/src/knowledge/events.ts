// Window events between the knowledge panel and the rest of the desktop, so
// that the composer, the inbox and the conversation view need not import the
// knowledge code (and an agent who never opens it never downloads it twice):
//
//   'switchboard:compose-insert'  detail {conversationId, text}: the composer of
//                                 that conversation appends text to its reply.
//   'switchboard:resolved'        detail {conversationId}: the agent resolved it;
//                                 the outcome prompt asks, once, whether
//                                 knowledge was linked, created or not needed.

/** COMPOSE_INSERT_EVENT asks the composer of a conversation to add text to its reply. */
export const COMPOSE_INSERT_EVENT = 'switchboard:compose-insert';

/** RESOLVED_EVENT says the agent resolved a conversation here. */
export const RESOLVED_EVENT = 'switchboard:resolved';

export interface ComposeInsertDetail {
  conversationId: string;
  text: string;
}

export interface ResolvedDetail {
  conversationId: string;
}

/** insertIntoReply asks the conversation's composer to add text to its reply. */
export function insertIntoReply(conversationId: string, text: string): void {
  window.dispatchEvent(new CustomEvent<ComposeInsertDetail>(COMPOSE_INSERT_EVENT, { detail: { conversationId, text } }));
}

/** announceResolved tells the outcome prompt the agent just resolved conversationId. */
export function announceResolved(conversationId: string): void {
  window.dispatchEvent(new CustomEvent<ResolvedDetail>(RESOLVED_EVENT, { detail: { conversationId } }));
}
