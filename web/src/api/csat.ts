// The calls of satisfaction surveys (Admin → Notification settings) and a
// conversation's survey. The answer also reaches the desktop as a note on
// the conversation's timeline.
import { request } from '../api';

export type CSATChannel = 'webchat' | 'email' | 'sms';
export const CSAT_CHANNELS: CSATChannel[] = ['webchat', 'email', 'sms'];

/** CSATSettings is GET/PUT /api/v1/csat/settings. */
export interface CSATSettings {
  enabled: boolean;
  delay_seconds: number;
  channels: CSATChannel[];
  question: string;
  comment_prompt: string;
  thanks: string;
  updated_at?: string;
}

/** CSATSurvey is GET /api/v1/conversations/{id}/csat. */
export interface CSATSurvey {
  id: string;
  channel: CSATChannel;
  state: 'scheduled' | 'sent' | 'answered' | 'expired' | 'suppressed';
  reason?: string;
  rating?: number;
  comment?: string;
  answered_at?: string;
}

export const csatApi = {
  settings: () => request<CSATSettings>('GET', '/api/v1/csat/settings'),
  setSettings: (s: CSATSettings) => request<CSATSettings>('PUT', '/api/v1/csat/settings', { body: s }),
  survey: (conversationID: string) => request<CSATSurvey>('GET', `/api/v1/conversations/${encodeURIComponent(conversationID)}/csat`),
};
