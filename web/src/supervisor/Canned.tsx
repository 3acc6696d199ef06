// /admin/canned: canned responses (a shortcut, a title and a body with
// variables) and macros (named lists of actions), for the whole team or for
// oneself.
//
// Test ids: canned-page, canned-new, canned-row (data-shortcut), canned-edit,
// canned-delete, canned-form, canned-shortcut, canned-title, canned-body,
// canned-scope, canned-save, canned-error; macro-new, macro-row (data-name),
// macro-edit, macro-delete, macro-form, macro-name, macro-action-type-<i>,
// macro-action-value-<i>, macro-add-action, macro-save, macro-error.
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import {
  MACRO_ACTIONS,
  supervisorApi,
  type CannedInput,
  type CannedResponse,
  type Macro,
  type MacroAction,
  type MacroInput,
  type Scope,
} from '../api/supervisor';
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { TextField } from '../components/admin/fields';
import { Field, useLoaded } from '../components/admin/form';
import { t, tMaybe } from '../i18n';
import type { User } from '../types';
import { AdminPage } from './AdminNav';

const VARIABLES = ['customer.name', 'customer.first_name', 'agent.name', 'agent.first_name', 'conversation.subject', 'tenant.name'];

/** CannedPage is /admin/canned. */
export function CannedPage() {
  return (
    <AdminPage title="admin.canned.title" intro="admin.canned.intro" testId="canned-page">
      <CannedSection />
      <MacroSection />
    </AdminPage>
  );
}

function ScopeBadge({ ownerID }: { ownerID: string }) {
  return ownerID ? <span class="badge badge-muted">{t('admin.canned.personal')}</span> : <span class="badge badge-succeeded">{t('admin.canned.team')}</span>;
}

function ScopeField({ id, value, onChange, disabled }: { id: string; value: Scope; onChange: (s: Scope) => void; disabled: boolean }) {
  return (
    <fieldset class="field">
      <legend>{t('admin.canned.scope')}</legend>
      {(['tenant', 'personal'] as const).map((s) => (
        <label key={s} class="checkbox">
          <input type="radio" name={id} value={s} checked={value === s} disabled={disabled} onChange={() => onChange(s)} data-testid={`${id}-${s}`} />
          <span>{s === 'tenant' ? t('admin.canned.scopeTeam') : t('admin.canned.scopePersonal')}</span>
        </label>
      ))}
    </fieldset>
  );
}

function CannedSection() {
  const list = useLoaded(supervisorApi.cannedResponses);
  return (
    <AdminList
      prefix="canned"
      title={t('admin.canned.list')}
      newLabel={t('admin.canned.new')}
      empty={t('admin.canned.empty')}
      list={list}
      order={(a, b) => a.shortcut.localeCompare(b.shortcut)}
      name={(c) => c.shortcut}
      rowAttrs={(c) => ({ 'data-shortcut': c.shortcut })}
      deleteQuestion={(c) => t('admin.canned.deleteConfirm', { name: c.shortcut })}
      remove={(c) => supervisorApi.deleteCanned(c.id)}
      columns={[
        { label: t('admin.canned.shortcut'), main: true, cell: (c) => <code>/{c.shortcut}</code> },
        { label: t('admin.canned.titleLabel'), cell: (c) => c.title },
        { label: t('admin.canned.body'), narrow: true, clip: true, cell: (c) => c.body },
        { label: t('admin.canned.scope'), cell: (c) => <ScopeBadge ownerID={c.owner_id} /> },
      ]}
      form={(slot) => <CannedForm {...slot} />}
    />
  );
}

function CannedForm({ item, onCancel, onSaved }: FormSlot<CannedResponse>) {
  const [v, setV] = useState<CannedInput>(() => ({ shortcut: item?.shortcut ?? '', title: item?.title ?? '', body: item?.body ?? '', scope: item?.owner_id ? 'personal' : 'tenant' }));
  const save = useSave(onSaved);
  const body = useRef<HTMLTextAreaElement>(null);
  const taken = save.error instanceof ApiError && save.error.status === 409 ? t('admin.canned.shortcutTaken') : undefined;
  const fe = (f: string) => save.fe(f) ?? (f === 'shortcut' ? taken : undefined);

  const insert = (name: string) => {
    const el = body.current;
    const token = `{{${name}}}`;
    if (!el) return setV({ ...v, body: v.body + token });
    const start = el.selectionStart ?? v.body.length;
    const end = el.selectionEnd ?? start;
    const next = v.body.slice(0, start) + token + v.body.slice(end);
    setV({ ...v, body: next });
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = () => {
    const input: CannedInput = { shortcut: v.shortcut.trim().replace(/^\//, ''), title: v.title.trim(), body: v.body };
    const sent = item ? input : { ...input, scope: v.scope };
    void save.run(sent, (key) => (item ? supervisorApi.updateCanned(item.id, input) : supervisorApi.createCanned(sent, key)));
  };

  return (
    <AdminForm prefix="canned" first="canned-shortcut" title={item ? t('admin.canned.editTitle', { name: item.shortcut }) : t('admin.canned.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <div class="admin-grid">
        <TextField
          id="canned-shortcut"
          testId="canned-shortcut"
          required
          label={t('admin.canned.shortcut')}
          hint={t('admin.canned.shortcutHint')}
          error={fe('shortcut')}
          value={v.shortcut}
          onValue={(shortcut) => setV({ ...v, shortcut })}
        />
        <TextField id="canned-title" testId="canned-title" required label={t('admin.canned.titleLabel')} error={fe('title')} value={v.title} onValue={(title) => setV({ ...v, title })} />
      </div>
      <Field id="canned-body" label={t('admin.canned.body')} hint={t('admin.canned.bodyHint')} error={fe('body')}>
        <textarea
          id="canned-body"
          ref={body}
          required
          rows={5}
          value={v.body}
          onInput={(e) => setV({ ...v, body: e.currentTarget.value })}
          aria-describedby="canned-body-hint"
          data-testid="canned-body"
        />
      </Field>
      <div class="admin-row" role="group" aria-label={t('admin.canned.insertVariable')}>
        <span class="admin-inline-label">{t('admin.canned.insertVariable')}</span>
        {VARIABLES.map((name) => (
          <button key={name} type="button" class="button button-small" onClick={() => insert(name)}>
            {`{{${name}}}`}
          </button>
        ))}
      </div>
      <ScopeField id="canned-scope" value={v.scope ?? 'tenant'} disabled={!!item} onChange={(scope) => setV({ ...v, scope })} />
    </AdminForm>
  );
}

function MacroSection() {
  const list = useLoaded(supervisorApi.macros);
  const users = useLoaded(supervisorApi.users).items.filter((u) => !u.disabled);
  return (
    <AdminList
      prefix="macro"
      title={t('admin.macros.list')}
      intro={t('admin.macros.intro')}
      newLabel={t('admin.macros.new')}
      empty={t('admin.macros.empty')}
      list={list}
      order={(a, b) => a.name.localeCompare(b.name)}
      name={(m) => m.name}
      deleteQuestion={(m) => t('admin.canned.deleteConfirm', { name: m.name })}
      remove={(m) => supervisorApi.deleteMacro(m.id)}
      card={(m) => (
        <>
          <h3>
            {m.name} <ScopeBadge ownerID={m.owner_id} />
          </h3>
          <ol class="small">
            {m.actions.map((a, i) => (
              <li key={i}>
                {tMaybe(`admin.macros.action.${a.type}`, a.type)}: <strong>{describeValue(a, users)}</strong>
              </li>
            ))}
          </ol>
        </>
      )}
      form={(slot) => <MacroForm {...slot} users={users} />}
    />
  );
}

function MacroForm({ item, users, onCancel, onSaved }: FormSlot<Macro> & { users: User[] }) {
  const [name, setName] = useState(item?.name ?? '');
  const [actions, setActions] = useState<MacroAction[]>(item?.actions ?? [{ type: 'reply', value: '' }]);
  const [scope, setScope] = useState<Scope>(item?.owner_id ? 'personal' : 'tenant');
  const save = useSave(onSaved);
  const fe = save.fe;
  const setAction = (i: number, patch: Partial<MacroAction>) => setActions(actions.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  const submit = () => {
    const input: MacroInput = { name: name.trim(), actions: actions.map((a) => ({ ...a, value: a.value.trim() })) };
    const sent = item ? input : { ...input, scope };
    void save.run(sent, (key) => (item ? supervisorApi.updateMacro(item.id, input) : supervisorApi.createMacro(sent, key)));
  };

  return (
    <AdminForm prefix="macro" first="macro-name" title={item ? t('admin.macros.editTitle', { name: item.name }) : t('admin.macros.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <TextField id="macro-name" testId="macro-name" required label={t('admin.name')} error={fe('name')} value={name} onValue={setName} />
      <fieldset class="field">
        <legend>{t('admin.macros.actions')}</legend>
        <p class="hint">{t('admin.macros.actionsHint')}</p>
        <ol class="admin-rows">
          {actions.map((a, i) => (
            <li class="admin-row" key={i}>
              <label class="visually-hidden" for={`macro-action-type-${i}`}>
                {t('admin.macros.actionType', { n: i + 1 })}
              </label>
              <select
                id={`macro-action-type-${i}`}
                value={a.type}
                onChange={(e) => setAction(i, { type: e.currentTarget.value as MacroAction['type'] })}
                data-testid={`macro-action-type-${i}`}
              >
                {MACRO_ACTIONS.map((x) => (
                  <option key={x} value={x}>
                    {tMaybe(`admin.macros.action.${x}`, x)}
                  </option>
                ))}
              </select>
              <label class="visually-hidden" for={`macro-action-value-${i}`}>
                {t('admin.macros.actionValue', { n: i + 1 })}
              </label>
              <ActionValue i={i} action={a} users={users} invalid={!!fe(`actions[${i}]`)} onValue={(value) => setAction(i, { value })} />
              <button type="button" class="button button-small button-quiet" onClick={() => setActions(actions.filter((_, j) => j !== i))}>
                {t('admin.remove')}
              </button>
              {fe(`actions[${i}]`) && <p class="field-error">{fe(`actions[${i}]`)}</p>}
            </li>
          ))}
        </ol>
        <button type="button" class="button button-small" onClick={() => setActions([...actions, { type: 'note', value: '' }])} data-testid="macro-add-action">
          {t('admin.macros.addAction')}
        </button>
      </fieldset>
      <ScopeField id="macro-scope" value={scope} disabled={!!item} onChange={setScope} />
    </AdminForm>
  );
}

interface ValueProps {
  i: number;
  action: MacroAction;
  users: User[];
  invalid: boolean;
  onValue: (v: string) => void;
}

/** ActionValue is the value control that fits the action: a choice where the values are few, else text. */
function ActionValue({ i, action, users, invalid, onValue }: ValueProps) {
  const common = { id: `macro-action-value-${i}`, 'data-testid': `macro-action-value-${i}`, 'aria-invalid': invalid ? true : undefined };
  const choose = (options: [string, string][]) => (
    <select {...common} value={action.value} onChange={(e) => onValue(e.currentTarget.value)}>
      <option value="">{t('admin.macros.choose')}</option>
      {options.map(([v, label]) => (
        <option key={v} value={v}>
          {label}
        </option>
      ))}
    </select>
  );
  switch (action.type) {
    case 'status':
      return choose(STATUSES.map((s) => [s, tMaybe(`admin.macros.status.${s}`, s)]));
    case 'priority':
      return choose(['0', '1', '2', '3'].map((p) => [p, tMaybe(`admin.priority.${p}`, p)]));
    case 'assign':
      return choose([['me', t('admin.macros.assignMe')], ...users.map((u): [string, string] => [u.id, `${u.name} (${u.email})`])]);
    default:
      return (
        <input
          {...common}
          class="grow"
          value={action.value}
          placeholder={tMaybe(`admin.macros.placeholder.${action.type}`, '')}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      );
  }
}

const STATUSES = ['open', 'pending', 'resolved'];

/** describeValue reads an action's value as the form offered it. */
function describeValue(a: MacroAction, users: User[]): string {
  switch (a.type) {
    case 'status':
      return tMaybe(`admin.macros.status.${a.value}`, a.value);
    case 'priority':
      return tMaybe(`admin.priority.${a.value}`, a.value);
    case 'assign':
      return a.value === 'me' ? t('admin.macros.assignMe') : users.find((u) => u.id === a.value)?.name ?? a.value;
    default:
      return a.value;
  }
}
