// /admin/agents: how routing sees each user (skills 1–5, queues served, capacity
// per modality, what one modality blocks, wrap-up) and the tenant's own
// presence states.
//
// Test ids: agents-page, agent-row (data-email), agent-edit, profile-form,
// profile-capacity-<modality>, profile-save, profile-error; presence-state-row
// (data-name), presence-state-delete, presence-state-form, presence-state-name,
// presence-state-routable, presence-state-save.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api';
import {
  MODALITIES,
  supervisorApi,
  type Modality,
  type Queue,
  type RoutingProfile,
  type RoutingProfileInput,
} from '../api/supervisor';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t, tMaybe } from '../i18n';
import type { User } from '../types';
import { AdminPage } from './AdminNav';
import { Field, fieldError, useFocusOnOpen, num, Problem, useDelete, useLoaded, useReturnFocus, DeleteButton } from '../components/admin/form';

/** AgentsPage is /admin/agents. */
export function AgentsPage() {
  const users = useLoaded(supervisorApi.users);
  const queues = useLoaded(supervisorApi.queues);
  const [profiles, setProfiles] = useState<Record<string, RoutingProfile>>({});
  const [profileError, setProfileError] = useState('');
  const [editing, setEditing] = useState<User | null>(null);
  useReturnFocus(editing !== null, '#agents-list-title');
  const [notice, setNotice] = useState('');

  useEffect(() => {
    const active = users.items.filter((u) => !u.disabled);
    Promise.all(active.map((u) => supervisorApi.routingProfile(u.id).then((p) => [u.id, p] as const))).then(
      (pairs) => setProfiles(Object.fromEntries(pairs)),
      (err) => setProfileError(errorMessage(err)),
    );
  }, [users.items]);

  const queueName = new Map(queues.items.map((q) => [q.id, q.name]));
  const shown = users.items.filter((u) => !u.disabled);

  return (
    <AdminPage title="admin.agents.title" intro="admin.agents.intro" testId="agents-page">
      <section class="panel" aria-labelledby="agents-list-title">
        <h2 id="agents-list-title" tabIndex={-1}>
          {t('admin.agents.list')}
        </h2>
        <Notice kind="success">{notice}</Notice>
        <Notice kind="error">{users.error || profileError}</Notice>
        {editing && profiles[editing.id] && (
          <ProfileForm
            user={editing}
            profile={profiles[editing.id]!}
            queues={queues.items}
            onCancel={() => setEditing(null)}
            onSaved={(p) => {
              setProfiles((old) => ({ ...old, [p.user_id]: p }));
              setEditing(null);
              setNotice(t('admin.saved'));
            }}
          />
        )}
        <div class="table-wrap">
          <table class="table" data-testid="agents-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('admin.agents.role')}</th>
                <th scope="col">{t('admin.agents.skills')}</th>
                <th scope="col" class="hide-narrow">{t('admin.agents.queues')}</th>
                <th scope="col">{t('admin.agents.capacity')}</th>
                <th scope="col" class="hide-narrow">{t('admin.agents.wrapUp')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((u) => {
                const p = profiles[u.id];
                return (
                  <tr key={u.id} data-testid="agent-row" data-email={u.email}>
                    <td class="cell-main">
                      {u.name}
                      <div class="muted small">{u.email}</div>
                    </td>
                    <td>{tMaybe(`role.${u.role}`, u.role)}</td>
                    <td>
                      {p
                        ? Object.entries(p.skills ?? {})
                            .map(([s, l]) => `${s} ${l}`)
                            .join(', ') || t('common.none')
                        : t('common.none')}
                    </td>
                    <td class="hide-narrow">
                      {p ? (p.queues.includes('*') ? t('admin.agents.allQueues') : p.queues.map((q) => queueName.get(q) ?? q).join(', ') || t('admin.none')) : ''}
                    </td>
                    <td>
                      {p
                        ? MODALITIES.filter((m) => (p.capacity?.[m] ?? 0) > 0)
                            .map((m) => `${tMaybe(`wall.modality.${m}`, m)} ${p.capacity[m]}`)
                            .join(', ') || t('common.none')
                        : ''}
                      {p?.default && <span class="badge badge-muted">{t('admin.agents.defaults')}</span>}
                    </td>
                    <td class="hide-narrow">{p ? `${p.wrap_up_seconds} s` : ''}</td>
                    <td class="cell-actions">
                      <button
                        type="button"
                        class="button button-small"
                        disabled={!p}
                        onClick={() => setEditing(u)}
                        aria-label={`${t('admin.edit')}: ${u.name}`}
                        data-testid="agent-edit"
                      >
                        {t('admin.edit')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <PresenceStates />
    </AdminPage>
  );
}

interface ProfileProps {
  user: User;
  profile: RoutingProfile;
  queues: Queue[];
  onCancel: () => void;
  onSaved: (p: RoutingProfile) => void;
}

function ProfileForm({ user, profile, queues, onCancel, onSaved }: ProfileProps) {
  const [skills, setSkills] = useState<[string, number][]>(() => Object.entries(profile.skills ?? {}));
  const [allQueues, setAllQueues] = useState(profile.queues.includes('*'));
  const [queueIDs, setQueueIDs] = useState<string[]>(profile.queues.filter((q) => q !== '*'));
  const [capacity, setCapacity] = useState<Partial<Record<Modality, number>>>(profile.capacity ?? {});
  const [blocks, setBlocks] = useState<Partial<Record<Modality, Modality[]>>>(profile.blocks ?? {});
  const [wrapUp, setWrapUp] = useState(profile.wrap_up_seconds);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('profile-title');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const cap: Partial<Record<Modality, number>> = {};
    for (const m of MODALITIES) if ((capacity[m] ?? 0) > 0) cap[m] = capacity[m];
    const blk: Partial<Record<Modality, Modality[]>> = {};
    for (const m of MODALITIES) if (blocks[m]?.length) blk[m] = blocks[m];
    const body: RoutingProfileInput = {
      skills: Object.fromEntries(skills.filter(([s]) => s.trim()).map(([s, l]) => [s.trim(), l])),
      queues: allQueues ? ['*'] : queueIDs,
      capacity: cap,
      blocks: blk,
      wrap_up_seconds: wrapUp,
    };
    try {
      onSaved(await supervisorApi.setRoutingProfile(user.id, body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="profile-form" aria-labelledby="profile-title">
      <h3 id="profile-title" tabIndex={-1}>
        {t('admin.agents.editTitle', { name: user.name })}
      </h3>
      <fieldset class="field">
        <legend>{t('admin.agents.skills')}</legend>
        <p class="hint">{t('admin.agents.skillsHint')}</p>
        <div class="admin-rows">
          {skills.map(([s, l], i) => (
            <div class="admin-row" key={i}>
              <label class="visually-hidden" for={`skill-name-${i}`}>
                {t('admin.agents.skillName')}
              </label>
              <input
                id={`skill-name-${i}`}
                value={s}
                placeholder={t('admin.agents.skillName')}
                onInput={(e) => setSkills(skills.map((x, j) => (j === i ? [e.currentTarget.value, x[1]] : x)))}
              />
              <label class="admin-inline-label" for={`skill-level-${i}`}>
                {t('admin.agents.level')}
              </label>
              <select id={`skill-level-${i}`} value={String(l)} onChange={(e) => setSkills(skills.map((x, j) => (j === i ? [x[0], num(e.currentTarget.value)] : x)))}>
                {[1, 2, 3, 4, 5].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <button type="button" class="button button-small button-quiet" onClick={() => setSkills(skills.filter((_, j) => j !== i))}>
                {t('admin.remove')}
              </button>
            </div>
          ))}
        </div>
        <button type="button" class="button button-small" onClick={() => setSkills([...skills, ['', 3]])}>
          {t('admin.agents.addSkill')}
        </button>
        {fe('skills') && <p class="field-error">{fe('skills')}</p>}
      </fieldset>

      <fieldset class="field checkbox-group">
        <legend>{t('admin.agents.queues')}</legend>
        <label class="checkbox">
          <input type="checkbox" checked={allQueues} onChange={(e) => setAllQueues(e.currentTarget.checked)} />
          <span>{t('admin.agents.allQueues')}</span>
        </label>
        {!allQueues && (
          <div class="checkbox-grid">
            {queues.map((q) => (
              <label key={q.id} class="checkbox">
                <input
                  type="checkbox"
                  checked={queueIDs.includes(q.id)}
                  onChange={(e) => setQueueIDs(e.currentTarget.checked ? [...queueIDs, q.id] : queueIDs.filter((x) => x !== q.id))}
                />
                <span>{q.name}</span>
              </label>
            ))}
          </div>
        )}
        {fe('queues') && <p class="field-error">{fe('queues')}</p>}
      </fieldset>

      <fieldset class="field">
        <legend>{t('admin.agents.capacity')}</legend>
        <p class="hint">{t('admin.agents.capacityHint')}</p>
        <div class="admin-row">
          {MODALITIES.map((m) => (
            <span key={m} class="admin-row">
              <label class="admin-inline-label" for={`cap-${m}`}>
                {tMaybe(`wall.modality.${m}`, m)}
              </label>
              <input
                id={`cap-${m}`}
                type="number"
                min={0}
                max={50}
                style={{ width: '5rem', minWidth: '5rem' }}
                value={capacity[m] ?? 0}
                onInput={(e) => setCapacity({ ...capacity, [m]: num(e.currentTarget.value) })}
                data-testid={`profile-capacity-${m}`}
              />
            </span>
          ))}
        </div>
        {fe('capacity') && <p class="field-error">{fe('capacity')}</p>}
      </fieldset>

      <fieldset class="field">
        <legend>{t('admin.agents.blocks')}</legend>
        <p class="hint">{t('admin.agents.blocksHint')}</p>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('admin.agents.whileHolding')}</th>
                {MODALITIES.map((m) => (
                  <th key={m} scope="col">
                    {tMaybe(`wall.modality.${m}`, m)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {MODALITIES.map((holding) => (
                <tr key={holding}>
                  <th scope="row">{tMaybe(`wall.modality.${holding}`, holding)}</th>
                  {MODALITIES.map((blocked) => (
                    <td key={blocked}>
                      {holding !== blocked && (
                        <input
                          type="checkbox"
                          aria-label={t('admin.agents.blockLabel', { holding, blocked })}
                          checked={blocks[holding]?.includes(blocked) ?? false}
                          onChange={(e) => {
                            const cur = blocks[holding] ?? [];
                            setBlocks({ ...blocks, [holding]: e.currentTarget.checked ? [...cur, blocked] : cur.filter((x) => x !== blocked) });
                          }}
                        />
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {fe('blocks') && <p class="field-error">{fe('blocks')}</p>}
      </fieldset>

      <Field id="profile-wrap-up" label={t('admin.agents.wrapUpSeconds')} hint={t('admin.agents.wrapUpHint')} error={fe('wrap_up_seconds')}>
        <input id="profile-wrap-up" type="number" min={0} value={wrapUp} onInput={(e) => setWrapUp(num(e.currentTarget.value))} aria-describedby="profile-wrap-up-hint" />
      </Field>

      <Problem error={error} testId="profile-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="profile-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function PresenceStates() {
  const states = useLoaded(supervisorApi.presenceStates);
  const del = useDelete();
  const idem = useIdempotencyKey();
  const [name, setName] = useState('');
  const [routable, setRoutable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), routable };
    try {
      const s = await supervisorApi.createPresenceState(body, idem.keyFor(body));
      idem.done();
      states.setItems((items) => [...items.filter((x) => x.name !== s.name), s]);
      setName('');
      setRoutable(false);
      del.setNotice(t('admin.created'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="presence-states-title">
      <h2 id="presence-states-title">{t('admin.presence.title')}</h2>
      <p class="muted">{t('admin.presence.intro')}</p>
      <Notice kind="success">{del.notice}</Notice>
      <Notice kind="error">{del.error || states.error}</Notice>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.presence.routable')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {states.items.map((s) => (
              <tr key={s.name} data-testid="presence-state-row" data-name={s.name}>
                <td class="cell-main">
                  {tMaybe(`presence.${s.name}`, s.name)} {s.built_in && <span class="badge badge-muted">{t('admin.presence.builtIn')}</span>}
                </td>
                <td>{s.routable ? t('common.yes') : t('common.no')}</td>
                <td class="cell-actions">
                  {!s.built_in && (
                    <DeleteButton
                      del={del}
                      id={s.name}
                      name={s.name}
                      testId="presence-state-delete"
                      question={t('admin.presence.deleteConfirm', { name: s.name })}
                      remove={() => supervisorApi.deletePresenceState(s.name)}
                      after={() => states.setItems((items) => items.filter((x) => x.name !== s.name))}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="form" onSubmit={submit} data-testid="presence-state-form">
        <Field id="presence-state-name" label={t('admin.presence.new')} hint={t('admin.presence.nameHint')} error={fieldError(error, 'name')}>
          <input
            id="presence-state-name"
            required
            pattern="[a-z][a-z0-9_\-]{0,29}"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            aria-describedby="presence-state-name-hint"
            data-testid="presence-state-name"
          />
        </Field>
        <label class="checkbox">
          <input type="checkbox" checked={routable} onChange={(e) => setRoutable(e.currentTarget.checked)} data-testid="presence-state-routable" />
          <span>{t('admin.presence.routableHint')}</span>
        </label>
        <Problem error={error} />
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy} data-testid="presence-state-save">
            {t('admin.add')}
          </button>
        </div>
      </form>
      {del.element}
    </section>
  );
}
