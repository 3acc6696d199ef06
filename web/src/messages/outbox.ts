// The strings of Admin → Outbox, the demo's mail catcher (web/src/i18n.ts merges every area).
export const outbox = {
  'admin.nav.outbox': 'Outbox',
  'outbox.title': 'Outbox (demo mail catcher)',
  'outbox.intro':
    'This demo has no mail relay, so every mail it sends — replies to customers, notices, portal sign-in codes, password resets — is caught here instead of leaving the machine. The last 500 are kept until the center restarts.',
  'outbox.list': 'Mail sent',
  'outbox.empty': 'No mail yet. Reply to an email conversation, raise a notification or ask for a portal sign-in code, and it appears here.',
  'outbox.to': 'To',
  'outbox.from': 'From',
  'outbox.subject': 'Subject',
  'outbox.time': 'Sent',
  'outbox.open': 'Read',
  'outbox.noSubject': '(no subject)',
  'outbox.mailTitle': 'Mail: {subject}',
  'outbox.html': 'As the customer sees it',
  'outbox.htmlFrame': 'The mail’s HTML, with scripts and remote content blocked',
  'outbox.text': 'Plain text',
  'outbox.headers': 'Headers',
  'outbox.attachments': 'Attachments',
  'outbox.code': 'Sign-in code: {code}',
} as const;
