// The calls of joining a center: sign-up, invitations, the second factor,
// sessions and the first-run wizard.
import { query, request } from '../api';
import type { Page, Session } from '../types';

/** Role is what a user may do in a workspace. */
export type Role = 'admin' | 'supervisor' | 'agent' | 'expert';

const enc = encodeURIComponent;

export type SignupMode = 'open' | 'invite' | 'off';

export interface PendingSignup {
  name: string;
  slug: string;
  email: string;
  expires_at: string;
}

export interface InvitationView {
  workspace: string;
  slug: string;
  email: string;
  name: string;
  role: Role;
}

export interface Invitation {
  id: string;
  email: string;
  name: string;
  role: Role;
  invited_by: string;
  created_at: string;
  sent_at: string;
  expires_at: string;
}

export interface SentInvitation extends Invitation {
  link: string;
  mailed: boolean;
}

export interface TOTPStatus {
  enrolled: boolean;
  required: boolean;
  recovery_codes_left: number;
}

export interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_png: string;
}

export interface SessionInfo {
  id: string;
  user_agent: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
}

export interface Setup {
  steps: string[];
  done: string[];
  dismissed: boolean;
}

export const joinApi = {
  signupMode: () => request<{ mode: SignupMode }>('GET', '/api/v1/signup', { public: true }),
  signup: (body: { name: string; slug: string; email: string; code?: string }) =>
    request<void>('POST', '/api/v1/signup', { body, public: true }),
  verifySignup: (token: string) => request<PendingSignup>('POST', '/api/v1/signup/verify', { body: { token }, public: true }),
  completeSignup: (token: string, name: string, password: string) =>
    request<Session>('POST', '/api/v1/signup/complete', { body: { token, name, password }, public: true }),
  viewInvitation: (token: string) => request<InvitationView>('POST', '/api/v1/auth/invitation', { body: { token }, public: true }),
  acceptInvitation: (token: string, name: string, password: string) =>
    request<Session>('POST', '/api/v1/auth/invitation/accept', { body: { token, name, password }, public: true }),

  invitations: (cursor?: string) => request<Page<Invitation>>('GET', `/api/v1/invitations${query({ limit: 100, cursor })}`),
  invite: (body: { email: string; name: string; role: Role }) => request<SentInvitation>('POST', '/api/v1/invitations', { body }),
  resendInvitation: (id: string) => request<SentInvitation>('POST', `/api/v1/invitations/${enc(id)}/resend`),
  revokeInvitation: (id: string) => request<void>('DELETE', `/api/v1/invitations/${enc(id)}`),

  totp: () => request<TOTPStatus>('GET', '/api/v1/me/totp'),
  startTotp: () => request<Enrolment>('POST', '/api/v1/me/totp'),
  confirmTotp: (code: string) => request<{ recovery_codes: string[] }>('POST', '/api/v1/me/totp/confirm', { body: { code } }),
  removeTotp: (password: string) => request<void>('POST', '/api/v1/me/totp/remove', { body: { password } }),
  authPolicy: () => request<{ require_totp: boolean }>('GET', '/api/v1/auth-policy'),
  setAuthPolicy: (require_totp: boolean) => request<{ require_totp: boolean }>('PUT', '/api/v1/auth-policy', { body: { require_totp } }),

  sessions: (userId: string) => request<{ items: SessionInfo[] }>('GET', `/api/v1/users/${enc(userId)}/sessions`),
  revokeSession: (userId: string, id: string) => request<void>('DELETE', `/api/v1/users/${enc(userId)}/sessions/${enc(id)}`),
  revokeSessions: (userId: string) => request<void>('DELETE', `/api/v1/users/${enc(userId)}/sessions`),
  removeUserTotp: (userId: string) => request<void>('DELETE', `/api/v1/users/${enc(userId)}/totp`),

  setup: () => request<Setup>('GET', '/api/v1/setup'),
  updateSetup: (body: { done?: string; dismissed?: boolean }) => request<Setup>('PUT', '/api/v1/setup', { body }),
};
