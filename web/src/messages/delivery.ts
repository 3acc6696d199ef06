// The strings of issue 11's rough edges and of delivery health: the admin
// menu's extra pages, channel health and failed messages with their retry,
// image previews, widget editing, template errors and notice recipients
// (web/src/i18n.ts merges every area).
export const delivery = {
  'nav.notifications': 'Notifications',
  'nav.outbox': 'Outbox',
  'notify.activity.unknownCustomer': 'Unknown customer',
};
