// The calls of call recording: the tenant's policy (Admin → Workspace data)
// and where a call's recording is served.
import { request } from '../api';

/** RecordingMode is what the tenant does about recording calls. */
export type RecordingMode = 'off' | 'announce' | 'ask';

/** RecordingPolicy is GET/PUT /api/v1/settings/recording. */
export interface RecordingPolicy {
  mode: RecordingMode;
  retention_days: number;
  updated_at?: string;
}

/** RecordingMeta is what a timeline item about a recording carries (meta.recording). */
export interface RecordingMeta {
  call_id: string;
  agent_id?: string;
  seconds: number;
  deleted?: boolean;
}

export const recordingApi = {
  policy: () => request<RecordingPolicy>('GET', '/api/v1/settings/recording'),
  setPolicy: (p: { mode: RecordingMode; retention_days: number }) => request<RecordingPolicy>('PUT', '/api/v1/settings/recording', { body: p }),
};

/** recordingURL is where a call's recording (WAV) is served. */
export function recordingURL(callID: string): string {
  return `/api/v1/calls/${encodeURIComponent(callID)}/recording`;
}

/**
 * mayHear mirrors the server's rule (recording.MayHear): admins and
 * supervisors hear every recording, an agent those of her own calls.
 */
export function mayHear(user: { id: string; role: string }, m: RecordingMeta): boolean {
  return user.role === 'admin' || user.role === 'supervisor' || (!!m.agent_id && m.agent_id === user.id);
}
