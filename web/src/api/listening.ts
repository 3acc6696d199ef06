// The calls of Admin → Listening: the workspace's listening rules, which turn
// public posts on social networks into conversations (internal/listening,
// docs/listening.md).
import { request } from '../api';

/** ListeningRule is a rule as the API shows it. */
export interface ListeningRule {
  id: string;
  name: string;
  keywords: string[];
  hashtags: string[];
  mentions: string[];
  languages: string[];
  min_followers: number;
  max_sentiment?: number;
  priority: number;
  queue: string;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** ListeningRuleInput is what the form sends. */
export interface ListeningRuleInput {
  name: string;
  keywords: string[];
  hashtags: string[];
  mentions: string[];
  languages: string[];
  min_followers: number;
  max_sentiment: number | null;
  priority: number;
  queue: string;
  enabled: boolean;
}

const enc = encodeURIComponent;

/** listeningApi lists the listening page's calls. */
export const listeningApi = {
  rules: async () => (await request<{ items: ListeningRule[] }>('GET', '/api/v1/listening/rules')).items,
  create: (body: ListeningRuleInput, idempotencyKey: string) => request<ListeningRule>('POST', '/api/v1/listening/rules', { body, idempotencyKey }),
  update: (id: string, body: ListeningRuleInput) => request<ListeningRule>('PUT', `/api/v1/listening/rules/${enc(id)}`, { body }),
  remove: (id: string) => request<void>('DELETE', `/api/v1/listening/rules/${enc(id)}`),
};
