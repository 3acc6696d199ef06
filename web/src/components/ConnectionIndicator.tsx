import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { ConnectionState } from '../realtime';
import { useSession } from '../session';

/** ConnectionIndicator shows whether live updates are flowing. */
export function ConnectionIndicator() {
  const { realtime } = useSession();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => realtime.watchState(setState), [realtime]);
  return (
    <span
      class={`connection connection-${state}`}
      role="status"
      data-testid="connection-status"
      data-state={state}
      title={t('realtime.label')}
    >
      <span class="connection-dot" aria-hidden="true" />
      <span class="visually-hidden">{t('realtime.label')}: </span>
      {t(`realtime.${state}`)}
    </span>
  );
}
