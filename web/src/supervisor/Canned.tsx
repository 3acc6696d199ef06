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
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import type { User } from '../types';
import { AdminPage } from './AdminNav';
import { Field, fieldError, useFocusOnOpen, Problem, useDelete, useLoaded, useReturnFocus, DeleteButton } from '../components/admin/form';

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
  const del = useDelete();
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=canned-new]');
  return (
    <section class="panel" aria-labelledby="canned-title">
      <div class="panel-header">
        <h2 id="canned-title">{t('admin.canned.list')}</h2>
        <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="canned-new">
          {t('admin.canned.new')}
        </button>
      </div>
      <Notice kind="success">{del.notice}</Notice>
      <Notice kind="error">{del.error || list.error}</Notice>
      {editing && (
        <CannedForm
          item={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={(c) => {
            list.setItems((items) => [...items.filter((x) => x.id !== c.id), c].sort((a, b) => a.shortcut.localeCompare(b.shortcut)));
            setEditing(null);
            del.setNotice(t('admin.saved'));
          }}
        />
      )}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('admin.canned.empty')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="canned-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.canned.shortcut')}</th>
                <th scope="col">{t('admin.canned.titleLabel')}</th>
                <th scope="col" class="hide-narrow">{t('admin.canned.body')}</th>
                <th scope="col">{t('admin.canned.scope')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id} data-testid="canned-row" data-shortcut={c.shortcut}>
                  <td class="cell-main">
                    <code>/{c.shortcut}</code>
                  </td>
                  <td>{c.title}</td>
                  <td class="hide-narrow clip">{c.body}</td>
                  <td>
                    <ScopeBadge ownerID={c.owner_id} />
                  </td>
                  <td class="cell-actions">
                    <button type="button" class="button button-small" onClick={() => setEditing(c)} aria-label={`${t('admin.edit')}: ${c.shortcut}`} data-testid="canned-edit">
                      {t('admin.edit')}
                    </button>
                    <DeleteButton
                      del={del}
                      id={c.id}
                      name={c.shortcut}
                      testId="canned-delete"
                      question={t('admin.canned.deleteConfirm', { name: c.shortcut })}
                      remove={() => supervisorApi.deleteCanned(c.id)}
                      after={() => list.setItems((items) => items.filter((x) => x.id !== c.id))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {del.element}
    </section>
  );
}

function CannedForm({ item, onCancel, onSaved }: { item: CannedResponse | null; onCancel: () => void; onSaved: (c: CannedResponse) => void }) {
  const idem = useIdempotencyKey();
  const [v, setV] = useState<CannedInput>(() => ({ shortcut: item?.shortcut ?? '', title: item?.title ?? '', body: item?.body ?? '', scope: item?.owner_id ? 'personal' : 'tenant' }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const body = useRef<HTMLTextAreaElement>(null);
  const taken = error instanceof ApiError && error.status === 409 ? t('admin.canned.shortcutTaken') : undefined;
  const fe = (f: string) => fieldError(error, f) ?? (f === 'shortcut' ? taken : undefined);
  useFocusOnOpen('canned-shortcut');

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

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const input: CannedInput = { shortcut: v.shortcut.trim().replace(/^\//, ''), title: v.title.trim(), body: v.body };
    try {
      const saved = item
        ? await supervisorApi.updateCanned(item.id, input)
        : await supervisorApi.createCanned({ ...input, scope: v.scope }, idem.keyFor({ ...input, scope: v.scope }));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="canned-form" aria-labelledby="canned-form-title">
      <h3 id="canned-form-title">{item ? t('admin.canned.editTitle', { name: item.shortcut }) : t('admin.canned.new')}</h3>
      <div class="admin-grid">
        <Field id="canned-shortcut" label={t('admin.canned.shortcut')} hint={t('admin.canned.shortcutHint')} error={fe('shortcut')}>
          <input
            id="canned-shortcut"
            required
            value={v.shortcut}
            onInput={(e) => setV({ ...v, shortcut: e.currentTarget.value })}
            aria-invalid={fe('shortcut') ? true : undefined}
            aria-describedby="canned-shortcut-hint"
            data-testid="canned-shortcut"
          />
        </Field>
        <Field id="canned-title" label={t('admin.canned.titleLabel')} error={fe('title')}>
          <input id="canned-title" required value={v.title} onInput={(e) => setV({ ...v, title: e.currentTarget.value })} aria-describedby="canned-title-hint" data-testid="canned-title" />
        </Field>
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
      <Problem error={error} testId="canned-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="canned-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function MacroSection() {
  const list = useLoaded(supervisorApi.macros);
  const users = useLoaded(supervisorApi.users).items.filter((u) => !u.disabled);
  const del = useDelete();
  const [editing, setEditing] = useState<Macro | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=macro-new]');
  return (
    <section class="panel" aria-labelledby="macros-title">
      <div class="panel-header">
        <h2 id="macros-title">{t('admin.macros.list')}</h2>
        <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="macro-new">
          {t('admin.macros.new')}
        </button>
      </div>
      <p class="muted">{t('admin.macros.intro')}</p>
      <Notice kind="success">{del.notice}</Notice>
      <Notice kind="error">{del.error || list.error}</Notice>
      {editing && (
        <MacroForm
          item={editing === 'new' ? null : editing}
          users={users}
          onCancel={() => setEditing(null)}
          onSaved={(m) => {
            list.setItems((items) => [...items.filter((x) => x.id !== m.id), m].sort((a, b) => a.name.localeCompare(b.name)));
            setEditing(null);
            del.setNotice(t('admin.saved'));
          }}
        />
      )}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('admin.macros.empty')}</p>}
      {list.items.map((m) => (
        <article key={m.id} class="admin-card" data-testid="macro-row" data-name={m.name}>
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
          <div class="cell-actions">
            <button type="button" class="button button-small" onClick={() => setEditing(m)} aria-label={`${t('admin.edit')}: ${m.name}`} data-testid="macro-edit">
              {t('admin.edit')}
            </button>
            <DeleteButton
              del={del}
              id={m.id}
              name={m.name}
              testId="macro-delete"
              question={t('admin.canned.deleteConfirm', { name: m.name })}
              remove={() => supervisorApi.deleteMacro(m.id)}
              after={() => list.setItems((items) => items.filter((x) => x.id !== m.id))}
            />
          </div>
        </article>
      ))}
      {del.element}
    </section>
  );
}

function MacroForm({ item, users, onCancel, onSaved }: { item: Macro | null; users: User[]; onCancel: () => void; onSaved: (m: Macro) => void }) {
  const idem = useIdempotencyKey();
  const [name, setName] = useState(item?.name ?? '');
  const [actions, setActions] = useState<MacroAction[]>(item?.actions ?? [{ type: 'reply', value: '' }]);
  const [scope, setScope] = useState<Scope>(item?.owner_id ? 'personal' : 'tenant');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('macro-name');
  const setAction = (i: number, patch: Partial<MacroAction>) => setActions(actions.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const input: MacroInput = { name: name.trim(), actions: actions.map((a) => ({ ...a, value: a.value.trim() })) };
    try {
      const saved = item ? await supervisorApi.updateMacro(item.id, input) : await supervisorApi.createMacro({ ...input, scope }, idem.keyFor({ ...input, scope }));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="macro-form" aria-labelledby="macro-form-title">
      <h3 id="macro-form-title">{item ? t('admin.macros.editTitle', { name: item.name }) : t('admin.macros.new')}</h3>
      <Field id="macro-name" label={t('admin.name')} error={fe('name')}>
        <input id="macro-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="macro-name-hint" data-testid="macro-name" />
      </Field>
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
      <Problem error={error} testId="macro-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="macro-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
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
