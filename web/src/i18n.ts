// Every string the user reads lives here, so that adding a language means adding
// one catalogue, not hunting through components. Placeholders look like {name}.
// Each area of the app keeps its strings in web/src/messages/<area>.ts.
import { conversation } from './messages/conversation';
import { desktop } from './messages/desktop';
import { join } from './messages/join';
import { notifications } from './messages/notifications';
import { outbox } from './messages/outbox';
import { sandbox } from './messages/sandbox';
import { delivery } from './messages/delivery';
import { supervisor } from './messages/supervisor';
import { workspace } from './messages/workspace';
import { customers } from './messages/customers';
import { context } from './messages/context';
import { helpcenter } from './messages/helpcenter';
import { knowledgeMeasures } from './messages/knowledgeMeasures';
import { reports } from './messages/reports';
import { reportsEngagement } from './messages/reportsEngagement';
import { knowledge } from './messages/knowledge';
import { swarm } from './messages/swarm';
import { screenpop } from './messages/screenpop';
import { community } from './messages/community';
import { rooms } from './messages/rooms';
import { voice } from './messages/voice';
import { phone } from './messages/phone';
import { whatsapp } from './messages/whatsapp';
import { listening } from './messages/listening';
import { recording } from './messages/recording';
import { callback } from './messages/callback';
import { csat } from './messages/csat';
import { social } from './messages/social';
import { routing } from './messages/routing';
import { reportSchedules } from './messages/reportSchedules';

const base = {
  'app.name': 'Switchboard',
  'app.loading': 'Loading…',
  'app.skipToContent': 'Skip to main content',

  'error.network': 'Cannot reach the server. Check your connection and try again.',
  'error.unexpected': 'Something went wrong (HTTP {status}).',
  'error.forbidden': 'You do not have permission to see this page.',
  'error.notFound': 'This page does not exist.',
  'error.backHome': 'Go to the desktop',

  'login.title': 'Sign in',
  'login.subtitle': 'Sign in to your Switchboard workspace.',
  'login.tenant': 'Workspace',
  'login.tenantHint': 'The short name of your organisation, e.g. northwind.',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.forgot': 'Forgot your password?',
  'login.failed': 'Sign-in failed.',
  'login.signedOut': 'You have been signed out.',

  'reset.requestTitle': 'Reset your password',
  'reset.requestIntro': 'Enter your workspace and email. If an account exists, we will send a link to choose a new password.',
  'reset.requestSubmit': 'Send reset link',
  'reset.requestSent': 'If an account exists for that address, a reset link is on its way. Check your inbox.',
  'reset.confirmTitle': 'Choose a new password',
  'reset.newPassword': 'New password',
  'reset.confirmPassword': 'Repeat new password',
  'reset.passwordHint': 'At least {min} characters.',
  'reset.mismatch': 'The two passwords do not match.',
  'reset.tooShort': 'The password must be at least {min} characters long.',
  'reset.confirmSubmit': 'Set new password',
  'reset.done': 'Your password has been changed. You can now sign in.',
  'reset.backToLogin': 'Back to sign in',

  'nav.label': 'Main',
  'nav.desktop': 'Desktop',
  'nav.admin': 'Admin',
  'nav.webhooks': 'Webhooks',
  'nav.apiKeys': 'API keys',
  'nav.logout': 'Sign out',

  'topbar.tenant': 'Workspace',
  'topbar.user': 'Signed in as',
  'topbar.presence': 'Presence',
  'topbar.sandbox': 'Sandbox',
  'topbar.presenceFailed': 'Could not change presence: {detail}',

  'presence.available': 'Available',
  'presence.busy': 'Busy',
  'presence.away': 'Away',
  'presence.offline': 'Offline',

  'role.admin': 'Admin',
  'role.supervisor': 'Supervisor',
  'role.agent': 'Agent',
  'role.expert': 'Expert',

  'realtime.label': 'Live updates',
  'realtime.connecting': 'Connecting…',
  'realtime.connected': 'Connected',
  'realtime.reconnecting': 'Reconnecting…',
  'realtime.offline': 'Offline',

  'desktop.title': 'Desktop',
  'desktop.inbox': 'Inbox',
  'desktop.inboxEmpty': 'No conversations yet',
  'desktop.inboxEmptyHint': 'New chats, emails and calls routed to you will appear here.',
  'desktop.context': 'Customer context',
  'desktop.contextEmpty': 'Select a conversation to see who the customer is and what matters now.',

  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.delete': 'Delete',
  'common.close': 'Close',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.loadMore': 'Load more',
  'common.refresh': 'Refresh',
  'common.actions': 'Actions',
  'common.created': 'Created',
  'common.never': 'Never',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.none': '—',
  'common.working': 'Working…',
  'common.confirm': 'Please confirm',
  'common.back': 'Back',

  'secret.warning': 'Copy this value now. It will not be shown again.',
  'secret.done': 'I have copied it',

  'webhooks.title': 'Webhooks',
  'webhooks.intro': 'Send signed HTTP callbacks to your systems when things happen in this workspace.',
  'webhooks.new': 'New webhook',
  'webhooks.url': 'Endpoint URL',
  'webhooks.urlHint': 'Where Switchboard POSTs each event. Use https:// outside of testing.',
  'webhooks.description': 'Description',
  'webhooks.events': 'Events',
  'webhooks.noEvents': 'Choose at least one event type.',
  'webhooks.allEvents': 'All events, including types added later',
  'webhooks.allEventsShort': 'All events',
  'webhooks.create': 'Create webhook',
  'webhooks.created': 'Webhook created.',
  'webhooks.secretTitle': 'Signing secret',
  'webhooks.secretIntro': 'Use this secret to verify the signature of each delivery.',
  'webhooks.listTitle': 'Endpoints',
  'webhooks.empty': 'No webhooks yet.',
  'webhooks.status': 'Status',
  'webhooks.active': 'Active',
  'webhooks.inactive': 'Disabled',
  'webhooks.enable': 'Enable',
  'webhooks.disable': 'Disable',
  'webhooks.ping': 'Send ping',
  'webhooks.pinged': 'Ping queued (delivery {id}).',
  'webhooks.open': 'Deliveries',
  'webhooks.deleteConfirm': 'Delete the webhook to {url}? Pending deliveries will be dropped. This cannot be undone.',
  'webhooks.deleted': 'Webhook deleted.',
  'webhooks.notFound': 'This webhook does not exist any more.',
  'webhooks.backToList': 'All webhooks',
  'webhooks.edit': 'Edit',
  'webhooks.saved': 'Changes saved.',

  'deliveries.title': 'Deliveries',
  'deliveries.empty': 'No deliveries yet. Send a ping to test the endpoint.',
  'deliveries.event': 'Event',
  'deliveries.status': 'Status',
  'deliveries.attempts': 'Attempts',
  'deliveries.lastCode': 'Last response',
  'deliveries.nextAttempt': 'Next attempt',
  'deliveries.view': 'Details',
  'deliveries.replay': 'Replay',
  'deliveries.replayed': 'Delivery queued again.',
  'deliveries.detailTitle': 'Delivery {id}',
  'deliveries.attempt': 'Attempt {n}',
  'deliveries.startedAt': 'Started',
  'deliveries.duration': 'Duration',
  'deliveries.durationMs': '{ms} ms',
  'deliveries.statusCode': 'Status code',
  'deliveries.responseBody': 'Response body',
  'deliveries.error': 'Error',
  'deliveries.noAttempts': 'Not attempted yet.',
  'status.pending': 'Pending',
  'status.succeeded': 'Succeeded',
  'status.failed': 'Failed',

  'apiKeys.title': 'API keys',
  'apiKeys.intro': 'Keys let your business systems call the Switchboard API. Give each system its own key with only the scopes it needs.',
  'apiKeys.new': 'New API key',
  'apiKeys.name': 'Name',
  'apiKeys.nameHint': 'Which system uses this key, e.g. "Billing".',
  'apiKeys.scopes': 'Scopes',
  'apiKeys.noScopes': 'Choose at least one scope.',
  'apiKeys.create': 'Create key',
  'apiKeys.keyTitle': 'Your new API key',
  'apiKeys.keyIntro': 'Send it as "Authorization: Bearer <key>".',
  'apiKeys.listTitle': 'Keys',
  'apiKeys.empty': 'No API keys yet.',
  'apiKeys.lastUsed': 'Last used',
  'apiKeys.status': 'Status',
  'apiKeys.activeStatus': 'Active',
  'apiKeys.revokedStatus': 'Revoked {when}',
  'apiKeys.revoke': 'Revoke',
  'apiKeys.revokeConfirm': 'Revoke the key "{name}"? Systems using it will stop working immediately. This cannot be undone.',
  'apiKeys.revoked': 'Key revoked.',

  'scope.read': 'read — read data',
  'scope.events:write': 'events:write — raise business events',
  'scope.webhooks:manage': 'webhooks:manage — manage webhooks',
  'scope.admin': 'admin — full administration',
  // Joining a center: sign-up, invitations, second factor, the wizard.
  ...join,
} as const;

const en = { ...base, ...desktop, ...conversation, ...supervisor, ...notifications, ...outbox, ...customers, ...sandbox, ...workspace, ...delivery, ...helpcenter, ...knowledgeMeasures,
  ...knowledge, ...context,
  ...swarm,
  ...screenpop,
  ...community, ...rooms,
  ...voice,
  ...phone,
  ...whatsapp,
  ...listening,
  ...recording,
  ...callback,
  ...csat,
  ...social,
  ...routing,
  ...reports,
  ...reportsEngagement,
  ...reportSchedules } as const;

/** MessageKey names one string in the catalogue. */
export type MessageKey = keyof typeof en;

type Params = Record<string, string | number>;

const catalogue: Record<MessageKey, string> = en;

/** locale is the language the strings and dates are shown in. */
export const locale = 'en';

/** t returns the string for key, with {placeholders} filled from params. */
export function t(key: MessageKey, params?: Params): string {
  const text = catalogue[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** tMaybe looks up a key built at run time (a role, a scope) and falls back to the raw value. */
export function tMaybe(key: string, fallback: string): string {
  return key in catalogue ? catalogue[key as MessageKey] : fallback;
}

const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

/** formatDateTime shows an RFC 3339 timestamp in the user's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return t('common.none');
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}
