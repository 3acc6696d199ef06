// WallSteps is a queue tile's list of conversations waiting by routing steps
// (ADR 0053): for each, the current step and when it ends, ticking with the
// wall's clock. The figures come with the queue's live stats.
//
// Test ids: wall-steps; wall-step (data-conversation, data-step from 1, 0
// once every step ended) with wall-step-expires.
import type { WaitingStep } from '../api/supervisor';
import { agentNames } from '../conversation/logic';
import { t } from '../i18n';
import { Link } from '../router';
import type { User } from '../types';
import { formatSeconds } from './live';

/** WallSteps lists the queue's waiting conversations by step; nothing when none waits by steps. */
export function WallSteps({ steps, users, now }: { steps?: WaitingStep[]; users: User[]; now: number }) {
  if (!steps?.length) return null;
  return (
    <div class="wall-steps" data-testid="wall-steps">
      <h4 class="small">{t('wall.steps')}</h4>
      <ul class="small">
        {steps.map((s) => {
          const left = s.expires_at ? (Date.parse(s.expires_at) - now) / 1000 : null;
          return (
            <li key={s.conversation_id} data-testid="wall-step" data-conversation={s.conversation_id} data-step={s.step + 1}>
              <Link href={`/desktop/c/${encodeURIComponent(s.conversation_id)}`}>
                {s.step < 0 ? t('wall.stepsExpired') : t('wall.stepOf', { n: s.step + 1, of: s.of, step: agentNames(s.description, users) })}
              </Link>
              {s.step >= 0 && (
                <span class="muted" data-testid="wall-step-expires">
                  {' · '}
                  {left === null ? t('wall.stepForever') : t('wall.stepExpiresIn', { time: formatSeconds(Math.max(0, left)) })}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
