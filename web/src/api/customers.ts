// The customers page's calls: list, people search, one customer's profile,
// merge and its undo. Built on the shared client in ../api.
import { query, request } from '../api';
import type { NotifyPreferences, Page } from '../types';
import type { Conversation, Persona } from './conversation';

const enc = encodeURIComponent;
const persona = (id: string) => `/api/v1/personas/${enc(id)}`;

/** Merged is what a merge answers: its id undoes it. */
export interface Merged {
  merge_id: string;
  survivor_id: string;
  merged_id: string;
}

/** PreferenceView is what the profile shows of a customer's notification settings. */
export interface PreferenceView {
  effective: NotifyPreferences;
  consent: Record<string, boolean>;
  available: string[];
}

/** customersApi lists every call of the customers page, one line each. */
export const customersApi = {
  list: (cursor?: string) => request<Page<Persona>>('GET', `/api/v1/personas${query({ limit: 50, cursor })}`),
  /** search finds customers by name (accents ignored), email, phone or reference: one page, by name. */
  search: (q: string) => request<Page<Persona>>('GET', `/api/v1/personas${query({ q, limit: 50 })}`),
  persona: (id: string) => request<Persona>('GET', persona(id)),
  conversations: (id: string) =>
    request<Page<Conversation>>('GET', `/api/v1/conversations${query({ persona_id: id, limit: 50 })}`),
  /** preferences are the customer's notification preferences as they apply, and their consent by scope. */
  preferences: (id: string) => request<PreferenceView>('GET', `${persona(id)}/preferences`),
  /** merge folds mergedID into survivorID: its identifiers and conversations move. */
  merge: (survivorID: string, mergedID: string) =>
    request<Merged>('POST', `${persona(survivorID)}/merge`, { body: { merge_id: mergedID } }),
  undoMerge: (mergeID: string) => request<void>('POST', `/api/v1/persona-merges/${enc(mergeID)}/undo`),
};
