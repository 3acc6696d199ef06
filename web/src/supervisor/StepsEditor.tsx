// StepsEditor edits routing criteria steps (ADR 0053) — a routing rule's and a
// queue's default ones: each step asks for skills at a minimum level (1–5) or
// for named agents, for a number of seconds (0: for ever, the last only).
// A step's any_of groups, which only the API sets, are kept as they are.
//
// Test ids, from the prefix p: p-step (data-index), p-step-kind-<i>,
// p-step-skill-<i>-<j>, p-step-level-<i>-<j>, p-step-add-skill-<i>,
// p-step-agent-<i> (data-user, checkboxes), p-step-expiry-<i>,
// p-step-remove-<i>, p-step-add.
import type { CriteriaStep } from '../api/conversation';
import { t } from '../i18n';
import type { User } from '../types';

/** StepDraft is a step as the form edits it. */
export interface StepDraft {
  kind: 'skills' | 'agents';
  skills: { name: string; level: number }[];
  agents: string[];
  expiry: number;
  anyOf?: Record<string, number>[];
}

/** draftsOf reads steps into the form's drafts. */
export function draftsOf(steps: CriteriaStep[] | undefined): StepDraft[] {
  return (steps ?? []).map((s) => ({
    kind: s.agents?.length ? 'agents' : 'skills',
    skills: Object.entries(s.skills ?? {}).map(([name, level]) => ({ name, level })),
    agents: s.agents ?? [],
    expiry: s.expiry_seconds ?? 0,
    anyOf: s.any_of,
  }));
}

/** stepsOf is the API's form of the drafts; skills without a name are left out. */
export function stepsOf(drafts: StepDraft[]): CriteriaStep[] {
  return drafts.map((d) => {
    const step: CriteriaStep = {};
    if (d.kind === 'agents') step.agents = d.agents;
    else {
      const skills = Object.fromEntries(d.skills.filter((s) => s.name.trim()).map((s) => [s.name.trim(), s.level]));
      if (Object.keys(skills).length) step.skills = skills;
    }
    if (d.anyOf?.length) step.any_of = d.anyOf;
    if (d.expiry > 0) step.expiry_seconds = d.expiry;
    return step;
  });
}

/** describeStep reads a step as a line: "spanish ≥ 3 for 40 s", "Ana, Ben for ever". */
export function describeStep(s: CriteriaStep, users: User[]): string {
  const parts: string[] = [];
  if (s.agents?.length) parts.push(s.agents.map((id) => users.find((u) => u.id === id)?.name ?? id).join(', '));
  const skills = Object.entries(s.skills ?? {}).map(([n, l]) => `${n} ≥ ${l}`);
  if (skills.length) parts.push(skills.join(', '));
  if (s.any_of?.length) parts.push(t('steps.anyOf', { groups: s.any_of.map((g) => Object.entries(g).map(([n, l]) => `${n} ≥ ${l}`).join(' + ')).join(' / ') }));
  const what = parts.join(', ') || t('steps.anyMember');
  return `${what} ${s.expiry_seconds ? t('steps.for', { time: `${s.expiry_seconds} s` }) : t('steps.forever')}`;
}

interface Props {
  prefix: string;
  steps: StepDraft[];
  onSteps: (steps: StepDraft[]) => void;
  users: User[];
  /** fe is the API's reason for refusing a field (e.g. "steps[1].skills"). */
  fe: (field: string) => string | undefined;
  /** field is the API's name of the steps ("steps" on a rule, "criteria" on a queue). */
  field: string;
}

/** StepsEditor is the list of steps with their skills or agents and time. */
export function StepsEditor({ prefix, steps, onSteps, users, fe, field }: Props) {
  const set = (i: number, patch: Partial<StepDraft>) => onSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const agents = users.filter((u) => !u.disabled);
  return (
    <>
      <ol class="admin-rows">
        {steps.map((s, i) => {
          const id = `${prefix}-step-${i}`;
          const err = fe(`${field}[${i}]`);
          return (
            <li key={i} class="admin-card" data-testid={`${prefix}-step`} data-index={i}>
              <div class="admin-row">
                <strong>{t('steps.step', { n: i + 1 })}</strong>
                <label class="visually-hidden" for={`${id}-kind`}>
                  {t('steps.kind', { n: i + 1 })}
                </label>
                <select
                  id={`${id}-kind`}
                  value={s.kind}
                  onChange={(e) => set(i, { kind: e.currentTarget.value as StepDraft['kind'] })}
                  data-testid={`${prefix}-step-kind-${i}`}
                >
                  <option value="skills">{t('steps.kind.skills')}</option>
                  <option value="agents">{t('steps.kind.agents')}</option>
                </select>
                <label class="admin-inline-label" for={`${id}-expiry`}>
                  {t('steps.expiry')}
                </label>
                <input
                  id={`${id}-expiry`}
                  type="number"
                  min={0}
                  value={s.expiry}
                  onInput={(e) => set(i, { expiry: Number.parseInt(e.currentTarget.value, 10) || 0 })}
                  aria-label={t('steps.expiryOf', { n: i + 1 })}
                  aria-invalid={fe(`${field}[${i}].expiry_seconds`) ? true : undefined}
                  data-testid={`${prefix}-step-expiry-${i}`}
                />
                <button
                  type="button"
                  class="button button-small button-quiet"
                  onClick={() => onSteps(steps.filter((_, j) => j !== i))}
                  data-testid={`${prefix}-step-remove-${i}`}
                >
                  {t('steps.remove', { n: i + 1 })}
                </button>
              </div>
              {s.kind === 'skills' ? (
                <div class="admin-rows">
                  {s.skills.map((sk, j) => (
                    <div class="admin-row" key={j}>
                      <label class="visually-hidden" for={`${id}-skill-${j}`}>
                        {t('steps.skill', { n: j + 1 })}
                      </label>
                      <input
                        id={`${id}-skill-${j}`}
                        value={sk.name}
                        placeholder="spanish"
                        onInput={(e) => set(i, { skills: s.skills.map((x, k) => (k === j ? { ...x, name: e.currentTarget.value } : x)) })}
                        data-testid={`${prefix}-step-skill-${i}-${j}`}
                      />
                      <label class="admin-inline-label" for={`${id}-level-${j}`}>
                        ≥
                      </label>
                      <select
                        id={`${id}-level-${j}`}
                        value={String(sk.level)}
                        aria-label={t('steps.level', { n: j + 1 })}
                        onChange={(e) => set(i, { skills: s.skills.map((x, k) => (k === j ? { ...x, level: Number(e.currentTarget.value) } : x)) })}
                        data-testid={`${prefix}-step-level-${i}-${j}`}
                      >
                        {[1, 2, 3, 4, 5].map((l) => (
                          <option key={l} value={l}>
                            {l}
                          </option>
                        ))}
                      </select>
                      <button
                        type="button"
                        class="button button-small button-quiet"
                        onClick={() => set(i, { skills: s.skills.filter((_, k) => k !== j) })}
                        aria-label={t('steps.removeSkill', { n: j + 1 })}
                      >
                        {t('admin.remove')}
                      </button>
                    </div>
                  ))}
                  <div>
                    <button
                      type="button"
                      class="button button-small"
                      onClick={() => set(i, { skills: [...s.skills, { name: '', level: 3 }] })}
                      data-testid={`${prefix}-step-add-skill-${i}`}
                    >
                      {t('steps.addSkill')}
                    </button>
                  </div>
                </div>
              ) : (
                <fieldset class="checkbox-group">
                  <legend class="admin-inline-label">{t('steps.agents', { n: i + 1 })}</legend>
                  <div class="checkbox-grid">
                    {agents.map((u) => (
                      <label key={u.id} class="checkbox">
                        <input
                          type="checkbox"
                          checked={s.agents.includes(u.id)}
                          onChange={(e) => set(i, { agents: e.currentTarget.checked ? [...s.agents, u.id] : s.agents.filter((x) => x !== u.id) })}
                          data-testid={`${prefix}-step-agent-${i}`}
                          data-user={u.email}
                        />
                        <span>{u.name}</span>
                      </label>
                    ))}
                  </div>
                </fieldset>
              )}
              {s.anyOf?.length ? <p class="hint">{describeStep({ any_of: s.anyOf }, users)}</p> : null}
              {err && <p class="field-error">{err}</p>}
            </li>
          );
        })}
      </ol>
      {steps.length === 0 && <p class="muted">{t('steps.none')}</p>}
      <button
        type="button"
        class="button button-small"
        onClick={() => onSteps([...steps, { kind: 'skills', skills: [{ name: '', level: 3 }], agents: [], expiry: 0 }])}
        data-testid={`${prefix}-step-add`}
      >
        {t('steps.add')}
      </button>
      {fe(field) && !steps.some((_, i) => fe(`${field}[${i}]`)) && <p class="field-error">{fe(field)}</p>}
    </>
  );
}
