// The calls of Admin → Workspace data: exports of all the workspace's data,
// and its deletion after a grace period (which every user can read).
import { request } from '../api';

/** WorkspaceExport is one export and how far it got. */
export interface WorkspaceExport {
  id: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  percent: number;
  tables_done: number;
  tables_total: number;
  rows_done: number;
  rows_total: number;
  bytes: number;
  error?: string;
  created_at: string;
  finished_at?: string;
  /** download_url takes a POST, once; the answer is the zip, streamed. */
  download_url: string;
}

/** WorkspaceDeletion says whether the workspace is about to be deleted. */
export interface WorkspaceDeletion {
  pending: boolean;
  requested_by?: string;
  requested_at?: string;
  due_at?: string;
  grace_seconds: number;
}

/** DELETION_CHANGED is dispatched on window when a deletion is asked for or canceled. */
export const DELETION_CHANGED = 'switchboard:deletion-changed';

const enc = encodeURIComponent;

/** workspaceApi lists the calls. */
export const workspaceApi = {
  exports: async () => (await request<{ items: WorkspaceExport[] }>('GET', '/api/v1/workspace/exports')).items,
  createExport: () => request<WorkspaceExport>('POST', '/api/v1/workspace/exports'),
  export: (id: string) => request<WorkspaceExport>('GET', `/api/v1/workspace/exports/${enc(id)}`),
  deletion: () => request<WorkspaceDeletion>('GET', '/api/v1/workspace/deletion'),
  requestDeletion: (confirm: string) => request<WorkspaceDeletion>('POST', '/api/v1/workspace/deletion', { body: { confirm } }),
  cancelDeletion: () => request<void>('DELETE', '/api/v1/workspace/deletion'),
};

/** download starts the browser's own download of an export: a form POST, so
 * the zip streams to disk instead of being held in the page's memory. */
export function download(url: string): void {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = url;
  form.style.display = 'none';
  document.body.appendChild(form);
  form.submit();
  form.remove();
}
