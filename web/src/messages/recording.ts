// The strings of call recording: the admin's policy section and the
// timeline's player (web/src/i18n.ts merges every area).
export const recording = {
  'recording.title': 'Call recording',
  'recording.intro':
    'Whether calls are recorded, and how long recordings are kept. Every announcement, agreement and refusal is written to the customer’s consent ledger; recordings older than the retention are deleted.',
  'recording.mode': 'Recording',
  'recording.modeHint': 'Customers can always refuse in the chat window; a refused call is not recorded.',
  'recording.mode.off': 'Off — record nothing',
  'recording.mode.announce': 'Always — tell the customer “this call is recorded”',
  'recording.mode.ask': 'Ask — record only when the customer agrees',
  'recording.retention': 'Keep recordings (days)',
  'recording.retentionHint': 'Between 1 and 3650 days.',
  'recording.save': 'Save recording policy',
  'recording.saved': 'Recording policy saved.',
  'recording.adminOnly': 'Only an admin changes the recording policy.',
  'recording.player': 'Call recording',
  'recording.download': 'Download the recording',
  'recording.gone': 'The recording is no longer available.',
  'recording.state.asked': 'Asking to record',
  'recording.state.announced': 'Recorded',
  'recording.state.granted': 'Recorded (agreed)',
  'recording.state.refused': 'Not recorded (refused)',
} as const;
