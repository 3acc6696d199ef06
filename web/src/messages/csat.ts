// The strings of satisfaction surveys: the admin's section and the
// conversation's answer (web/src/i18n.ts merges every area).
export const csat = {
  'csat.title': 'Satisfaction survey',
  'csat.intro':
    'After a conversation is resolved, its customer is asked one question on the channel it ran on: at once in the chat widget, after the delay by email (a link to a short page) or by SMS (a reply from 1 to 5). Surveys by email and SMS follow each customer’s preferences and consent.',
  'csat.enabled': 'Ask customers after a resolution',
  'csat.channels': 'Ask on',
  'csat.channel.webchat': 'Chat widget',
  'csat.channel.email': 'Email',
  'csat.channel.sms': 'SMS',
  'csat.delay': 'Delay for email and SMS (minutes)',
  'csat.delayHint': 'From 0 to 10080 minutes (7 days); the widget asks at once.',
  'csat.question': 'Question',
  'csat.questionHint': 'Ask for a rating from 1 (poor) to 5 (great). At most 300 characters.',
  'csat.commentPrompt': 'Comment prompt',
  'csat.thanks': 'Thanks',
  'csat.save': 'Save survey',
  'csat.saved': 'Survey settings saved.',
  'csat.adminOnly': 'Only an admin changes the survey.',
} as const;
