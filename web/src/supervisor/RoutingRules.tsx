// /admin/routing-rules: the workspace's routing rules (ADR 0053), in the order
// they are tried — each gives the conversations it matches (an OR of AND
// groups of conditions on the conversation and its customer) routing steps.
//
// Test ids: rrules-page, rrule-new, rrule-row (data-name), rrule-edit,
// rrule-delete, rrule-up, rrule-down, rrule-steps (a row's steps),
// rrule-form, rrule-name, rrule-queue, rrule-group (data-index),
// rrule-attr-<g>-<c>, rrule-key-<g>-<c>, rrule-op-<g>-<c>, rrule-value-<g>-<c>,
// rrule-add-condition-<g>, rrule-add-group, the steps editor's (prefix rrule),
// rrule-save, rrule-error.
import { useState } from 'preact/hooks';
import { errorMessage } from '../api';
import { CONDITION_ATTRIBUTES, CONDITION_OPS, routingApi, type Condition, type RoutingRule, type RoutingRuleInput } from '../api/routing';
import { supervisorApi, type Queue } from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { SelectField, TextField } from '../components/admin/fields';
import { useLoaded } from '../components/admin/form';
import { Notice } from '../components/Notice';
import { t, tMaybe } from '../i18n';
import type { User } from '../types';
import { AdminPage } from './AdminNav';
import { describeStep, draftsOf, StepsEditor, stepsOf, type StepDraft } from './StepsEditor';

const byPosition = (a: RoutingRule, b: RoutingRule) => a.position - b.position || a.name.localeCompare(b.name);

/** describeCondition reads a condition as the form offers it: "Channel is sms". */
function describeCondition(c: Condition): string {
  const attr = c.attribute.startsWith('persona.') ? c.attribute.slice('persona.'.length) : tMaybe(`rrules.attr.${c.attribute}`, c.attribute);
  return `${attr} ${tMaybe(`rrules.op.${c.op}`, c.op)} ${c.value}`;
}

/** RoutingRulesPage is /admin/routing-rules. */
export function RoutingRulesPage() {
  const rules = useLoaded(routingApi.rules);
  const queues = useLoaded(supervisorApi.queues);
  const users = useLoaded(supervisorApi.users);
  const [moveError, setMoveError] = useState('');
  const [moving, setMoving] = useState(false);
  const ordered = [...rules.items].sort(byPosition);

  // move puts rule i one place up or down and renumbers the positions in
  // tens, saving only the rules whose position changes.
  const move = async (i: number, by: -1 | 1) => {
    const next = [...ordered];
    const a = next[i];
    const b = next[i + by];
    if (!a || !b) return;
    next[i] = b;
    next[i + by] = a;
    setMoving(true);
    setMoveError('');
    try {
      const saved: RoutingRule[] = [];
      for (const [k, r] of next.entries()) {
        const position = (k + 1) * 10;
        if (r.position === position) saved.push(r);
        else saved.push(await routingApi.updateRule(r.id, { name: r.name, position, queue_id: r.queue_id, match: r.match, steps: r.steps }));
      }
      rules.setItems(() => saved);
      document.querySelector<HTMLElement>(`[data-testid=rrule-row][data-id="${CSS.escape(a.id)}"] [data-testid=rrule-${by < 0 ? 'up' : 'down'}]`)?.focus();
    } catch (err) {
      setMoveError(errorMessage(err));
      await rules.reload();
    } finally {
      setMoving(false);
    }
  };
  const queueName = (id: string | undefined) => queues.items.find((q) => q.id === id)?.name ?? t('rrules.anyQueue');

  return (
    <AdminPage title="rrules.title" intro="rrules.intro" testId="rrules-page">
      <Notice kind="error">{moveError}</Notice>
      <AdminList
        prefix="rrule"
        title={t('rrules.list')}
        newLabel={t('rrules.new')}
        empty={t('rrules.empty')}
        list={{ ...rules, items: ordered }}
        order={byPosition}
        name={(r) => r.name}
        deleteQuestion={(r) => t('rrules.deleteConfirm', { name: r.name })}
        remove={(r) => routingApi.deleteRule(r.id)}
        actions={(r, i) => (
          <>
            <button
              type="button"
              class="button button-small"
              disabled={moving || i === 0}
              onClick={() => void move(i, -1)}
              aria-label={t('rrules.moveUp', { name: r.name })}
              data-testid="rrule-up"
            >
              {t('rrules.up')}
            </button>
            <button
              type="button"
              class="button button-small"
              disabled={moving || i === ordered.length - 1}
              onClick={() => void move(i, 1)}
              aria-label={t('rrules.moveDown', { name: r.name })}
              data-testid="rrule-down"
            >
              {t('rrules.down')}
            </button>
          </>
        )}
        card={(r) => (
          <>
            <h3>
              <span class="badge badge-muted">{t('rrules.position', { n: ordered.indexOf(r) + 1 })}</span> {r.name}
            </h3>
            <dl class="admin-facts small">
              <dt>{t('rrules.queue')}</dt>
              <dd>{queueName(r.queue_id)}</dd>
              <dt>{t('rrules.match')}</dt>
              <dd>
                {r.match.length
                  ? r.match.map((g) => g.map(describeCondition).join(` ${t('rrules.and')} `)).join(` · ${t('rrules.or')} · `)
                  : t('rrules.matchAll')}
              </dd>
              <dt>{t('steps.title')}</dt>
              <dd>
                <ol data-testid="rrule-steps">
                  {r.steps.map((s, i) => (
                    <li key={i}>{describeStep(s, users.items)}</li>
                  ))}
                </ol>
              </dd>
            </dl>
          </>
        )}
        form={(slot) => (
          <RuleForm {...slot} queues={queues.items} users={users.items} nextPosition={(ordered[ordered.length - 1]?.position ?? 0) + 10} />
        )}
      />
    </AdminPage>
  );
}

interface FormExtra {
  queues: Queue[];
  users: User[];
  /** nextPosition is where a new rule goes: after the last. */
  nextPosition: number;
}

function RuleForm({ item, queues, users, nextPosition, onSaved, onCancel }: FormSlot<RoutingRule> & FormExtra) {
  const [name, setName] = useState(item?.name ?? '');
  const [queueID, setQueueID] = useState(item?.queue_id ?? '');
  const [match, setMatch] = useState<Condition[][]>(item?.match ?? [[{ attribute: 'channel', op: 'equals', value: '' }]]);
  const [steps, setSteps] = useState<StepDraft[]>(() =>
    item ? draftsOf(item.steps) : [{ kind: 'skills', skills: [{ name: '', level: 3 }], agents: [], expiry: 60 }, { kind: 'skills', skills: [], agents: [], expiry: 0 }],
  );
  const save = useSave(onSaved);

  const submit = () => {
    const body: RoutingRuleInput = {
      name: name.trim(),
      position: item?.position ?? nextPosition,
      match: match.filter((g) => g.length > 0),
      steps: stepsOf(steps),
      ...(queueID ? { queue_id: queueID } : {}),
    };
    void save.run(body, (key) => (item ? routingApi.updateRule(item.id, body) : routingApi.createRule(body, key)));
  };

  return (
    <AdminForm prefix="rrule" first="rrule-name" title={item ? t('rrules.editTitle', { name: item.name }) : t('rrules.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <div class="admin-grid">
        <TextField id="rrule-name" testId="rrule-name" required label={t('admin.name')} error={save.fe('name')} value={name} onValue={setName} />
        <SelectField
          id="rrule-queue"
          testId="rrule-queue"
          label={t('rrules.queue')}
          hint={t('rrules.queueHint')}
          error={save.fe('queue_id')}
          value={queueID}
          onValue={setQueueID}
          options={queues.map((q) => [q.id, q.name] as const)}
        >
          <option value="">{t('rrules.anyQueue')}</option>
        </SelectField>
      </div>
      <fieldset class="field">
        <legend>{t('rrules.match')}</legend>
        <p class="hint">{t('rrules.matchHint')}</p>
        <MatchEditor match={match} onMatch={setMatch} fe={save.fe} />
      </fieldset>
      <fieldset class="field">
        <legend>{t('steps.title')}</legend>
        <p class="hint">{t('steps.hint')}</p>
        <StepsEditor prefix="rrule" steps={steps} onSteps={setSteps} users={users} fe={save.fe} field="steps" />
      </fieldset>
    </AdminForm>
  );
}

interface MatchProps {
  match: Condition[][];
  onMatch: (m: Condition[][]) => void;
  fe: (field: string) => string | undefined;
}

/** MatchEditor edits the OR of AND groups of conditions. */
function MatchEditor({ match, onMatch, fe }: MatchProps) {
  const setCond = (g: number, c: number, patch: Partial<Condition>) =>
    onMatch(match.map((grp, i) => (i !== g ? grp : grp.map((x, j) => (j === c ? { ...x, ...patch } : x)))));
  const remove = (g: number, c: number) => onMatch(match.map((grp, i) => (i !== g ? grp : grp.filter((_, j) => j !== c))).filter((grp) => grp.length > 0));
  return (
    <>
      {match.map((grp, g) => (
        <div key={g} class="admin-card" data-testid="rrule-group" data-index={g}>
          <p class="admin-inline-label">{g === 0 ? t('rrules.group', { n: 1 }) : `${t('rrules.or')} — ${t('rrules.group', { n: g + 1 })}`}</p>
          <ol class="admin-rows">
            {grp.map((c, i) => {
              const id = `rrule-${g}-${i}`;
              const persona = c.attribute.startsWith('persona.');
              const err = fe(`match[${g}][${i}]`);
              return (
                <li key={i} class="admin-row">
                  <label class="visually-hidden" for={`${id}-attr`}>
                    {t('rrules.attribute', { n: i + 1 })}
                  </label>
                  <select
                    id={`${id}-attr`}
                    value={persona ? 'persona' : c.attribute}
                    onChange={(e) => {
                      const a = e.currentTarget.value;
                      setCond(g, i, { attribute: a === 'persona' ? 'persona.' : a, op: a === 'priority' ? c.op : c.op === 'at_least' || c.op === 'at_most' ? 'equals' : c.op });
                    }}
                    data-testid={`rrule-attr-${g}-${i}`}
                  >
                    {CONDITION_ATTRIBUTES.map((a) => (
                      <option key={a} value={a}>
                        {t(`rrules.attr.${a}`)}
                      </option>
                    ))}
                    <option value="persona">{t('rrules.attr.persona')}</option>
                  </select>
                  {persona && (
                    <>
                      <label class="visually-hidden" for={`${id}-key`}>
                        {t('rrules.personaKey', { n: i + 1 })}
                      </label>
                      <input
                        id={`${id}-key`}
                        value={c.attribute.slice('persona.'.length)}
                        placeholder="language"
                        onInput={(e) => setCond(g, i, { attribute: `persona.${e.currentTarget.value.trim()}` })}
                        data-testid={`rrule-key-${g}-${i}`}
                      />
                    </>
                  )}
                  <label class="visually-hidden" for={`${id}-op`}>
                    {t('rrules.op', { n: i + 1 })}
                  </label>
                  <select id={`${id}-op`} value={c.op} onChange={(e) => setCond(g, i, { op: e.currentTarget.value as Condition['op'] })} data-testid={`rrule-op-${g}-${i}`}>
                    {CONDITION_OPS.filter((o) => c.attribute === 'priority' || (o !== 'at_least' && o !== 'at_most')).map((o) => (
                      <option key={o} value={o}>
                        {t(`rrules.op.${o}`)}
                      </option>
                    ))}
                  </select>
                  <label class="visually-hidden" for={`${id}-value`}>
                    {t('rrules.value', { n: i + 1 })}
                  </label>
                  <input
                    id={`${id}-value`}
                    class="grow"
                    value={c.value}
                    aria-invalid={err ? true : undefined}
                    onInput={(e) => setCond(g, i, { value: e.currentTarget.value })}
                    data-testid={`rrule-value-${g}-${i}`}
                  />
                  <button type="button" class="button button-small button-quiet" onClick={() => remove(g, i)}>
                    {t('rrules.removeCondition')}
                  </button>
                  {err && <p class="field-error">{err}</p>}
                </li>
              );
            })}
          </ol>
          <button
            type="button"
            class="button button-small"
            onClick={() => onMatch(match.map((x, k) => (k === g ? [...x, { attribute: 'channel', op: 'equals', value: '' }] : x)))}
            data-testid={`rrule-add-condition-${g}`}
          >
            {t('rrules.addCondition')}
          </button>
        </div>
      ))}
      <button type="button" class="button button-small" onClick={() => onMatch([...match, [{ attribute: 'channel', op: 'equals', value: '' }]])} data-testid="rrule-add-group">
        {t('rrules.addGroup')}
      </button>
      {fe('match') && !match.some((_, g) => fe(`match[${g}]`)) && <p class="field-error">{fe('match')}</p>}
    </>
  );
}
