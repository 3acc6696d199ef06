// The routing rules API (/api/v1/routing-rules; ADR 0053): a rule gives the
// conversations it matches routing criteria steps.
import { request } from '../api';
import type { CriteriaStep } from './conversation';

/** Condition tests one attribute of a conversation (or persona.<key> of its customer). */
export interface Condition {
  attribute: string;
  op: 'equals' | 'not_equals' | 'contains' | 'at_least' | 'at_most';
  value: string;
}

export const CONDITION_OPS = ['equals', 'not_equals', 'contains', 'at_least', 'at_most'] as const;
export const CONDITION_ATTRIBUTES = ['channel', 'team', 'priority', 'tag', 'subject'] as const;

/** RoutingRuleInput is what a create or replace takes. */
export interface RoutingRuleInput {
  name: string;
  position: number;
  queue_id?: string;
  /** match is an OR of AND groups; none matches every conversation. */
  match: Condition[][];
  steps: CriteriaStep[];
}

export interface RoutingRule extends RoutingRuleInput {
  id: string;
  created_at: string;
  updated_at: string;
}

const enc = encodeURIComponent;

export const routingApi = {
  rules: async () => (await request<{ items: RoutingRule[] }>('GET', '/api/v1/routing-rules')).items,
  createRule: (body: RoutingRuleInput, idempotencyKey: string) => request<RoutingRule>('POST', '/api/v1/routing-rules', { body, idempotencyKey }),
  updateRule: (id: string, body: RoutingRuleInput) => request<RoutingRule>('PUT', `/api/v1/routing-rules/${enc(id)}`, { body }),
  deleteRule: (id: string) => request<void>('DELETE', `/api/v1/routing-rules/${enc(id)}`),
};
