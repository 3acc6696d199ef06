// The calls behind delivery health: channel health for the desktop's banner
// and the admin's Channels page, and sending a failed message again.
import { request } from '../api';
import type { Message } from './conversation';

/** ChannelHealth is how one channel's outbound side is doing (GET /channels/health). */
export interface ChannelHealth {
  channel: string;
  state: 'ok' | 'warning' | 'failing' | 'not_configured' | 'unknown';
  detail?: string;
  failures: number;
  last_success_at?: string;
  last_failure_at?: string;
}

const enc = encodeURIComponent;

export const deliveryApi = {
  health: () => request<{ items: ChannelHealth[] }>('GET', '/api/v1/channels/health'),
  retry: (messageID: string) =>
    request<{ message: Message; retried: boolean }>('POST', `/api/v1/messages/${enc(messageID)}/retry`),
};
