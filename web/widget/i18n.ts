// Every string the visitor reads, so that another language is one more
// catalogue. Placeholders look like {name}.

const en = {
  open: 'Open chat',
  close: 'Close chat',
  title: 'Chat with us',
  greeting: 'Hi! How can we help?',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  typing: '{name} is typing…',
  someone: 'Someone',
  you: 'You',
  sending: 'Sending…',
  sent: 'Sent',
  read: 'Read',
  retry: 'Retry',
  failed: 'Not sent: {reason}',
  uploading: 'Uploading {name}…',
  tooLarge: '{name} is too large: files up to {max} can be sent.',
  badType: '{name} cannot be sent: this kind of file is not accepted.',
  unread: '{n} unread',
  older: 'Loading earlier messages…',
  prechatIntro: 'Before we start, tell us a little about you.',
  start: 'Start chat',
  required: 'Please fill in {field}.',
  offlineIntro: 'We are away right now. Leave a message and we will answer by email.',
  unreachable: 'We cannot connect right now. Leave a message and we will answer by email.',
  email: 'Email',
  name: 'Name',
  phone: 'Phone',
  message: 'Message',
  leave: 'Send message',
  thanks: 'Thank you! We will answer by email soon.',
  error: 'Something went wrong: {reason}',
  network: 'the network is unreachable',
  ended: 'This chat has ended.',
  newChat: 'Start a new chat',
  rate: 'Rate {n} of 5',
  suggested: 'These articles may answer it:',
  back: 'Back to the chat',
  fullArticle: 'Open in the help center',
  call: 'Call',
  videoCall: 'Video call',
  incoming: 'An agent is calling you',
  answer: 'Answer',
  ringing: 'Calling…',
  queued: 'Waiting for an agent (number {n} in line)',
  waiting: 'Waiting for an agent…',
  connecting2: 'Connecting the call…',
  active: 'In call · {time}',
  held: 'On hold · {time}',
  reconnecting2: 'The call is reconnecting…',
  callEnded: 'Call ended',
  callEndedWhy: 'Call ended: {reason}',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOn: 'Turn camera on',
  cameraOff: 'Turn camera off',
  hangup: 'Hang up',
  agentVideo: 'Agent video',
  selfVideo: 'Your camera',
  byYou: 'you hung up',
  byAgent: 'the agent hung up',
  lost: 'the connection was lost',
  recAsk: 'May we record this call?',
  recAgree: 'Yes, record',
  recRefuse: 'Do not record',
  recOn: 'This call is recorded',
  recOff: 'This call is not recorded',
  recVideo: 'Record a video message',
  recStarting: 'Starting the camera…',
  recRunning: 'Recording · {time}',
  recSend: 'Send',
  recCancel: 'Cancel',
  recRefused: 'The camera or microphone is not available ({why}).',
};

/** Key names one string. */
export type Key = keyof typeof en;

/** t returns the string for key with {placeholders} filled in. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return en[key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** fieldLabel names a pre-chat field: known ones translated, others as written. */
export function fieldLabel(field: string): string {
  if (field === 'email' || field === 'name' || field === 'phone') return t(field);
  const s = field.replace(/[_-]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
