// The knowledge measures (KCS Evolve loop) of a period: GET /api/v1/knowledge/measures.
import { query, request } from '../api';

/** Rate is the link rate of a group of resolved conversations (an agent, a team, a day, or all). */
export interface Rate {
  key: string;
  name: string;
  resolved: number;
  linked: number;
  rate: number;
}

export interface Reuse {
  article_id: string;
  title: string;
  links: number;
  created: number;
}

export interface ArticleOpinion {
  article_id: string;
  title: string;
  yes: number;
  no: number;
  reasons: { reason: string; count: number }[];
}

/** KnowledgeMeasures is the whole answer, as docs/knowledge-measures.md defines each figure. */
export interface KnowledgeMeasures {
  from: string;
  to: string;
  link_rate: Rate;
  agents: Rate[];
  teams: Rate[];
  days: Rate[];
  reuse: Reuse[];
  new_vs_known: { resolved: number; known: number; new: number; none: number };
  self_service: { sessions: number; self_served: number; carried: number; rate: number; too_recent: number };
  feedback: ArticleOpinion[];
  flags: { opened: number; fixed: number; open_at_end: number; median_hours: number; p90_hours: number };
}

/** Section names one measure of the CSV download. */
export type Section = 'link_rate' | 'agents' | 'teams' | 'days' | 'reuse' | 'new_vs_known' | 'self_service' | 'feedback' | 'flags';

const PATH = '/api/v1/knowledge/measures';

export const measuresApi = {
  /** get loads the measures from the day from to the day to, both counted whole. */
  get: (from: string, to: string) => request<KnowledgeMeasures>('GET', PATH + query({ from, to })),
  /** csvURL is the download of one measure, or of all of them without section. */
  csvURL: (from: string, to: string, section?: Section) => PATH + query({ from, to, format: 'csv', measure: section }),
};
