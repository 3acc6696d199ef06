// Reports over time (docs/reports.md): GET /api/v1/reports, its CSV tables and drill-down.
import { query, request } from '../api';

export interface TimeStat {
  metric: 'first_response' | 'wait' | 'handle' | 'resolution';
  count: number;
  median_secs: number | null;
  p90_secs: number | null;
  mean_secs: number | null;
}

export interface StateTime {
  state: string;
  secs: number;
}

/** Period is one range's figures. */
export interface Period {
  from: string;
  to: string;
  conversations: number;
  queued: number;
  by_channel: { channel: string; conversations: number }[];
  by_hour: { hour: number; channel: string; conversations: number }[];
  by_day: { date: string; conversations: number }[];
  times: TimeStat[];
  resolved: number;
  fcr: number;
  fcr_pct: number | null;
  sla_breached: number;
  sla_compliance_pct: number | null;
  abandoned: number;
  abandon_pct: number | null;
  answered: number;
  answered_within: number;
  service_level_pct: number | null;
  asa_secs: number | null;
  presence: StateTime[];
  csat: { responses: number; average: number | null; satisfied_pct: number | null; ratings: number[] };
  agents: { agent_id: string; presence: StateTime[]; answered: number; handled: number; handle_secs: number; occupancy_pct: number | null }[];
  knowledge: KnowledgeFigures;
  /** notices is null under a queue, agent, team or tag filter; best_hours under any filter. */
  notices: { total: NoticeRow; by_type: NoticeRow[]; by_channel: NoticeRow[] } | null;
  best_hours: { all: SegmentHours; segments: SegmentHours[] } | null;
}

/** NoticeRow is one notification type's or channel's notices; rates are over sent. */
export interface NoticeRow {
  type?: string;
  channel?: string;
  sent: number;
  delivered: number;
  read: number;
  responded: number;
  failed: number;
  opt_outs: number;
  delivery_pct: number | null;
  read_pct: number | null;
  response_pct: number | null;
  opt_out_pct: number | null;
}

/** KnowledgeFigures: link rate over resolutions; links and top articles without a filter only. */
export interface KnowledgeFigures {
  resolved: number;
  linked: number;
  link_rate_pct: number | null;
  links: number | null;
  articles: number | null;
  links_per_article: number | null;
  top_articles: { article_id: string; title: string; conversations: number; reused: number; created: number }[] | null;
}

/** SegmentHours counts responses to notices by the customers' own local hour. */
export interface SegmentHours {
  segment: string;
  responses: number;
  hours: number[];
  best_hour: number | null;
}

export interface Report {
  tz: string;
  from: string;
  to: string;
  service_level_secs: number;
  current: Period;
  previous: Period;
}

export interface DrillRow {
  conversation_id: string;
  created_at: string;
  channel: string;
  queue_id: string;
  agent_id: string;
  first_response_secs: number | null;
  wait_secs: number | null;
  resolution_secs: number | null;
  resolved: boolean;
  abandoned: boolean;
  csat: number;
  kb_linked: boolean;
}

/** ReportQuery is what every report call shares; filter is one dimension at most. */
export interface ReportQuery {
  from: string;
  to: string;
  tz: string;
  sl?: number;
  filter?: { dim: 'channel' | 'queue' | 'agent' | 'team' | 'tag'; value: string };
}

export type Table =
  | 'summary'
  | 'volume_by_day'
  | 'volume_by_hour'
  | 'times'
  | 'agents'
  | 'csat'
  | 'notices_by_type'
  | 'notices_by_channel'
  | 'knowledge_articles'
  | 'best_hours';

function params(q: ReportQuery): Record<string, string | undefined> {
  const p: Record<string, string | undefined> = { from: q.from, to: q.to, tz: q.tz, sl: q.sl ? String(q.sl) : undefined };
  if (q.filter && q.filter.value) p[q.filter.dim] = q.filter.value;
  return p;
}

export const reportsApi = {
  get: (q: ReportQuery) => request<Report>('GET', '/api/v1/reports' + query(params(q))),
  csvURL: (q: ReportQuery, table: Table) => '/api/v1/reports/csv' + query({ ...params(q), table }),
  drill: (q: ReportQuery, cell: { metric: string; hour?: number; date?: string; by_channel?: string }) =>
    request<{ items: DrillRow[]; truncated: boolean }>(
      'GET',
      '/api/v1/reports/drilldown' +
        query({ ...params(q), metric: cell.metric, hour: cell.hour === undefined ? undefined : String(cell.hour), date: cell.date, by_channel: cell.by_channel }),
    ),
};
