// The strings of issue 11's rough edges and of delivery health: the admin
// menu's extra pages, channel health and failed messages with their retry,
// image previews, widget editing, template errors and notice recipients
// (web/src/i18n.ts merges every area).
export const delivery = {
  'nav.notifications': 'Notifications',
  'nav.outbox': 'Outbox',
  'notify.activity.unknownCustomer': 'Unknown customer',
  'admin.channels.edit': 'Edit',
  'admin.channels.editNamed': 'Edit {name}',
  'admin.channels.s.endMessage': 'End-of-chat message',
  'admin.channels.s.endMessageHint': 'What the visitor reads when an agent resolves the chat, above a button to start a new one. Empty: “This chat has ended. Thank you for talking to us — if you need anything else, start a new chat.”',
};
