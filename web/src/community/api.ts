// The knowledge community's API (docs/community.md).
import { query, request } from '../api';
import type { Article } from '../api/knowledge';

export interface Membership {
  member: boolean;
  display_name: string;
  joined_at: string | null;
}

export interface Share {
  article_id: string;
  practice_id: string;
  title: string;
  shared: boolean;
  article_version: number;
  shared_at: string | null;
  updated_at: string | null;
  adoptions: number;
}

export interface Practice {
  id: string;
  title: string;
  issue: string;
  resolution: string;
  issue_html: string;
  environment_html: string;
  cause_html: string;
  resolution_html: string;
  category: string;
  tags: string[];
  sharer_name: string;
  attribution: string;
  shared_at: string;
  updated_at: string;
  adoptions: number;
  mine: boolean;
}

export interface Adoption {
  id: string;
  article_id: string;
  practice_id: string;
  origin_name: string;
  attribution: string;
  adopted_at: string;
}

const enc = encodeURIComponent;

export const communityApi = {
  membership: () => request<Membership>('GET', '/api/v1/community'),
  join: (displayName: string) => request<Membership>('PUT', '/api/v1/community', { body: { display_name: displayName } }),
  leave: () => request<void>('DELETE', '/api/v1/community'),
  shares: () => request<{ items: Share[] }>('GET', '/api/v1/community/shared'),
  shareOf: (articleId: string) => request<Share>('GET', `/api/v1/community/shared/${enc(articleId)}`),
  share: (articleId: string) => request<Share>('PUT', `/api/v1/community/shared/${enc(articleId)}`),
  unshare: (articleId: string) => request<void>('DELETE', `/api/v1/community/shared/${enc(articleId)}`),
  catalog: (q: string) => request<{ items: Practice[] }>('GET', `/api/v1/community/practices${query({ q })}`),
  adopt: (id: string) => request<{ article: Article; adoption: Adoption }>('POST', `/api/v1/community/practices/${enc(id)}/adopt`),
  adoptions: (articleId: string) => request<{ items: Adoption[] }>('GET', `/api/v1/community/adoptions${query({ article_id: articleId })}`),
};
