// Scheduled reports (docs/reports.md, "Scheduled reports"): /api/v1/report-schedules.
import { request } from '../api';

export type Frequency = 'daily' | 'weekly' | 'monthly';

export interface ReportFilter {
  channel?: string;
  queue_id?: string;
  agent_id?: string;
  team?: string;
  tag?: string;
}

/** ReportScheduleInput is a schedule as the form sends it. */
export interface ReportScheduleInput {
  name: string;
  frequency: Frequency;
  weekday: number; // weekly: 0 Sunday … 6 Saturday
  day: number; // monthly: 1–31, a shorter month runs on its last day
  at: string; // HH:MM local
  tz: string;
  filter: ReportFilter;
  recipients: string[]; // user ids
  extra_emails: string[];
  enabled: boolean;
}

export interface ReportRun {
  id: string;
  from: string;
  to: string;
  due_at: string;
  manual: boolean;
  status: 'pending' | 'sent' | 'failed';
  sent_to: number;
  attempts: number;
  error?: string;
  created_at: string;
  finished_at?: string;
}

export interface ReportSchedule extends ReportScheduleInput {
  id: string;
  next_run_at?: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_run: ReportRun | null;
}

const enc = encodeURIComponent;

export const reportSchedulesApi = {
  list: async () => (await request<{ items: ReportSchedule[] }>('GET', '/api/v1/report-schedules')).items,
  create: (body: ReportScheduleInput, idempotencyKey: string) => request<ReportSchedule>('POST', '/api/v1/report-schedules', { body, idempotencyKey }),
  update: (id: string, body: ReportScheduleInput) => request<ReportSchedule>('PUT', `/api/v1/report-schedules/${enc(id)}`, { body }),
  remove: (id: string) => request<void>('DELETE', `/api/v1/report-schedules/${enc(id)}`),
  sendNow: (id: string) => request<ReportRun>('POST', `/api/v1/report-schedules/${enc(id)}/send`),
};
