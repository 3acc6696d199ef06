import { t, tMaybe } from '../i18n';

/** StatusBadge shows a delivery status (or any state with a status.* string) as a coloured pill. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{tMaybe(`status.${status}`, status)}</span>;
}

/** ActiveBadge shows whether an endpoint is enabled. */
export function ActiveBadge({ active }: { active: boolean }) {
  return (
    <span class={active ? 'badge badge-succeeded' : 'badge badge-muted'}>
      {active ? t('webhooks.active') : t('webhooks.inactive')}
    </span>
  );
}
