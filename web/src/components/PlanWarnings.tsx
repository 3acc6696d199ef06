import { useEffect, useState } from 'preact/hooks';
import { request } from '../api';
import { Notice } from './Notice';

type Warning = { limit: 'agents' | 'notices_per_month' | 'storage_bytes'; used: number; cap: number };

const names: Record<Warning['limit'], string> = {
  agents: 'agents',
  notices_per_month: 'notices this month',
  storage_bytes: 'storage (bytes)',
};

/**
 * PlanWarnings tells an admin which of the workspace's plan limits are 80 %
 * used (GET /api/v1/plan), so that they can ask the service's operator for
 * more before something is refused. It shows nothing otherwise.
 */
export function PlanWarnings() {
  const [warnings, setWarnings] = useState<Warning[]>([]);
  useEffect(() => {
    request<{ warnings: Warning[] }>('GET', '/api/v1/plan').then(
      (p) => setWarnings(p.warnings),
      () => setWarnings([]), // the banner is a courtesy: a failure here shows nothing
    );
  }, []);
  if (warnings.length === 0) return null;
  return (
    <div class="plan-warnings" data-testid="plan-warnings">
      <Notice kind="info">
        Your plan: {warnings.map((w) => `${names[w.limit]} ${w.used} of ${w.cap} used`).join('; ')}. Ask the service's operator to raise
        the limit before it is reached.
      </Notice>
    </div>
  );
}
