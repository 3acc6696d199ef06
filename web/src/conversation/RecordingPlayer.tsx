// RecordingPlayer is a call recording's player on its timeline item, for
// those allowed to hear it (admins, supervisors, the call's agent: the
// server's rule, ADR 0043). A recording that retention deleted, or that
// the server no longer serves, says so instead.
//
// Test ids: recording-player, recording-download, recording-gone.
import { useState } from 'preact/hooks';
import type { Message } from '../api/conversation';
import { mayHear, recordingURL, type RecordingMeta } from '../api/recording';
import { t } from '../i18n';
import { useSession } from '../session';

export function RecordingPlayer(props: { m: Message; gone: Set<string> }) {
  const meta = props.m.meta?.recording as RecordingMeta | undefined;
  const user = useSession().session.user;
  const [gone, setGone] = useState(false);
  if (!meta?.call_id || meta.deleted || props.gone.has(meta.call_id) || !mayHear(user, meta)) return null;
  if (gone) return <p class="cv-muted" data-testid="recording-gone">{t('recording.gone')}</p>;
  const url = recordingURL(meta.call_id);
  return (
    <div class="cv-recording">
      <audio controls preload="metadata" src={url} aria-label={t('recording.player')} onError={() => setGone(true)} data-testid="recording-player" />
      <a href={url} download data-testid="recording-download">{t('recording.download')}</a>
    </div>
  );
}

/** deletedRecordings are the calls whose recording the timeline says retention deleted. */
export function deletedRecordings(messages: Message[]): Set<string> {
  const out = new Set<string>();
  for (const m of messages) {
    const r = m.meta?.recording as RecordingMeta | undefined;
    if (r?.deleted && r.call_id) out.add(r.call_id);
  }
  return out;
}
