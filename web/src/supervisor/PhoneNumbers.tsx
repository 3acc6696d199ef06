// /admin/phone-numbers: the workspace's SIP trunks and the numbers they bring
// in, each number with its queue, business hours and keypad menu
// (docs/voice.md, "Phone numbers").
//
// Test ids: phone-page, trunk-new, trunk-row (data-name), trunk-edit,
// trunk-delete, trunk-form, trunk-name, trunk-provider, trunk-transport,
// trunk-username, trunk-password, trunk-register, trunk-accept,
// number-row, number-value, number-queue, number-calendar, number-menu,
// number-add, number-remove, trunk-save, trunk-error.
import { useState } from 'preact/hooks';
import { phoneApi, type PhoneNumber, type PhoneTrunk, type PhoneTrunkInput } from '../api/phone';
import { supervisorApi } from '../api/supervisor';
import { Notice } from '../components/Notice';
import { useIdempotencyKey } from '../hooks';
import { t } from '../i18n';
import { AdminPage } from './AdminNav';
import { RowActions, Field, fieldError, Problem, useDelete, useFocusOnOpen, useLoaded, useReturnFocus } from './form';

/** PhoneNumbersPage is /admin/phone-numbers. */
export function PhoneNumbersPage() {
  const trunks = useLoaded(phoneApi.trunks);
  const queues = useLoaded(supervisorApi.queues);
  const calendars = useLoaded(supervisorApi.calendars);
  const del = useDelete();
  const [editing, setEditing] = useState<PhoneTrunk | 'new' | null>(null);
  useReturnFocus(editing !== null, '[data-testid=trunk-new]');
  const queueName = (id: string) => queues.items.find((q) => q.id === id)?.name ?? id;

  return (
    <AdminPage title="phone.title" intro="phone.intro" testId="phone-page">
      <section class="panel" aria-labelledby="trunks-title">
        <div class="panel-header">
          <h2 id="trunks-title">{t('phone.list')}</h2>
          <button type="button" class="button button-primary" onClick={() => setEditing('new')} data-testid="trunk-new">
            {t('phone.new')}
          </button>
        </div>
        <Notice kind="success">{del.notice}</Notice>
        <Notice kind="error">{del.error || trunks.error}</Notice>
        {editing && (
          <TrunkForm
            trunk={editing === 'new' ? null : editing}
            queues={queues.items}
            calendars={calendars.items}
            onCancel={() => setEditing(null)}
            onSaved={(tr) => {
              trunks.setItems((items) => [...items.filter((x) => x.id !== tr.id), tr]);
              setEditing(null);
              del.setNotice(t('admin.saved'));
            }}
          />
        )}
        {!trunks.loading && trunks.items.length === 0 && <p class="muted">{t('phone.empty')}</p>}
        {trunks.items.map((tr) => (
          <article key={tr.id} class="admin-card" data-testid="trunk-row" data-name={tr.name}>
            <h3>
              {tr.name} <span class="badge badge-muted">{tr.transport}</span>
            </h3>
            {tr.provider && <p class="small">{tr.provider}</p>}
            <ul class="small">
              {tr.numbers.map((n) => (
                <li key={n.number}>
                  <code>{n.number}</code> → {queueName(n.queue_id)}
                  {n.menu ? <span class="badge badge-muted"> {t('phone.hasMenu')}</span> : null}
                </li>
              ))}
            </ul>
            <RowActions
              onEdit={() => setEditing(tr)}
              editTestId="trunk-edit"
              del={del}
              id={tr.id}
              name={tr.name}
              testId="trunk-delete"
              question={t('phone.deleteConfirm', { name: tr.name })}
              remove={() => phoneApi.deleteTrunk(tr.id)}
              after={() => trunks.setItems((items) => items.filter((x) => x.id !== tr.id))}
            />
          </article>
        ))}
      </section>
      {del.element}
    </AdminPage>
  );
}

interface NumberDraft {
  number: string;
  queue_id: string;
  calendar_id: string;
  menu: string;
}

function draftOf(n: PhoneNumber): NumberDraft {
  return { number: n.number, queue_id: n.queue_id, calendar_id: n.calendar_id ?? '', menu: n.menu ? JSON.stringify(n.menu, null, 2) : '' };
}

interface TrunkFormProps {
  trunk: PhoneTrunk | null;
  queues: { id: string; name: string }[];
  calendars: { id: string; name: string }[];
  onCancel: () => void;
  onSaved: (t: PhoneTrunk) => void;
}

function TrunkForm({ trunk, queues, calendars, onCancel, onSaved }: TrunkFormProps) {
  const idem = useIdempotencyKey();
  const [name, setName] = useState(trunk?.name ?? '');
  const [provider, setProvider] = useState(trunk?.provider ?? '');
  const [transport, setTransport] = useState(trunk?.transport ?? 'udp');
  const [username, setUsername] = useState(trunk?.username ?? '');
  const [password, setPassword] = useState('');
  const [register, setRegister] = useState(trunk?.register ?? false);
  const [accept, setAccept] = useState((trunk?.accept_from ?? []).join(', '));
  const [numbers, setNumbers] = useState<NumberDraft[]>(() =>
    trunk?.numbers.length ? trunk.numbers.map(draftOf) : [{ number: '', queue_id: queues[0]?.id ?? '', calendar_id: '', menu: '' }],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [menuError, setMenuError] = useState('');
  const fe = (f: string) => fieldError(error, f);
  useFocusOnOpen('trunk-name');
  const setNumber = (i: number, patch: Partial<NumberDraft>) => setNumbers(numbers.map((n, j) => (j === i ? { ...n, ...patch } : n)));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setMenuError('');
    const out: PhoneNumber[] = [];
    for (const n of numbers) {
      let menu: unknown = undefined;
      if (n.menu.trim()) {
        try {
          menu = JSON.parse(n.menu);
        } catch (err) {
          setMenuError(t('phone.menuInvalid', { error: String((err as Error).message) }));
          return;
        }
      }
      out.push({ number: n.number.trim(), queue_id: n.queue_id, ...(n.calendar_id ? { calendar_id: n.calendar_id } : {}), ...(menu ? { menu } : {}) });
    }
    const body: PhoneTrunkInput = {
      name: name.trim(),
      provider: provider.trim(),
      transport,
      username: username.trim(),
      register,
      accept_from: accept.split(',').map((s) => s.trim()).filter(Boolean),
      numbers: out,
      ...(password || !trunk ? { password } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const saved = trunk ? await phoneApi.updateTrunk(trunk.id, body) : await phoneApi.createTrunk(body, idem.keyFor(body));
      idem.done();
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-editor" onSubmit={submit} data-testid="trunk-form" aria-labelledby="trunk-form-title">
      <h3 id="trunk-form-title">{trunk ? t('phone.editTitle', { name: trunk.name }) : t('phone.new')}</h3>
      <Field id="trunk-name" label={t('admin.name')} error={fe('name')}>
        <input id="trunk-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={fe('name') ? true : undefined} aria-describedby="trunk-name-hint" data-testid="trunk-name" />
      </Field>
      <Field id="trunk-provider" label={t('phone.provider')} hint={t('phone.providerHint')} error={fe('provider')}>
        <input id="trunk-provider" value={provider} onInput={(e) => setProvider(e.currentTarget.value)} aria-invalid={fe('provider') ? true : undefined} aria-describedby="trunk-provider-hint" data-testid="trunk-provider" />
      </Field>
      <Field id="trunk-transport" label={t('phone.transport')} error={fe('transport')}>
        <select id="trunk-transport" value={transport} onChange={(e) => setTransport(e.currentTarget.value)} aria-describedby="trunk-transport-hint" data-testid="trunk-transport">
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
        </select>
      </Field>
      <Field id="trunk-username" label={t('phone.username')} error={fe('username')}>
        <input id="trunk-username" autocomplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} aria-describedby="trunk-username-hint" data-testid="trunk-username" />
      </Field>
      <Field id="trunk-password" label={t('phone.password')} hint={trunk?.password_set ? t('phone.passwordKept') : t('phone.passwordHint')} error={fe('password')}>
        <input id="trunk-password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-describedby="trunk-password-hint" data-testid="trunk-password" />
      </Field>
      <Field id="trunk-register" label={t('phone.register')} error={fe('register')}>
        <input id="trunk-register" type="checkbox" checked={register} onChange={(e) => setRegister(e.currentTarget.checked)} aria-describedby="trunk-register-hint" data-testid="trunk-register" />
      </Field>
      <Field id="trunk-accept" label={t('phone.acceptFrom')} hint={t('phone.acceptFromHint')} error={fe('accept_from')}>
        <input id="trunk-accept" value={accept} onInput={(e) => setAccept(e.currentTarget.value)} aria-invalid={fe('accept_from') ? true : undefined} aria-describedby="trunk-accept-hint" data-testid="trunk-accept" />
      </Field>
      <fieldset>
        <legend>{t('phone.numbers')}</legend>
        {numbers.map((n, i) => (
          <div key={i} class="admin-card" data-testid="number-row">
            <Field id={`number-${i}`} label={t('phone.number')} error={fe(`numbers.${i}.number`) ?? (i === 0 ? fe('numbers') : undefined)}>
              <input id={`number-${i}`} required value={n.number} placeholder="+15550100" onInput={(e) => setNumber(i, { number: e.currentTarget.value })} aria-describedby={`number-${i}-hint`} data-testid="number-value" />
            </Field>
            <Field id={`number-${i}-queue`} label={t('phone.queue')} error={fe(`numbers.${i}.queue_id`)}>
              <select id={`number-${i}-queue`} value={n.queue_id} onChange={(e) => setNumber(i, { queue_id: e.currentTarget.value })} aria-describedby={`number-${i}-queue-hint`} data-testid="number-queue">
                {queues.map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={`number-${i}-calendar`} label={t('phone.calendar')} error={fe(`numbers.${i}.calendar_id`)}>
              <select id={`number-${i}-calendar`} value={n.calendar_id} onChange={(e) => setNumber(i, { calendar_id: e.currentTarget.value })} aria-describedby={`number-${i}-calendar-hint`} data-testid="number-calendar">
                <option value="">{t('phone.alwaysOpen')}</option>
                {calendars.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={`number-${i}-menu`} label={t('phone.menu')} hint={t('phone.menuHint')} error={fe(`numbers.${i}.menu`)}>
              <textarea id={`number-${i}-menu`} rows={6} class="mono" value={n.menu} onInput={(e) => setNumber(i, { menu: e.currentTarget.value })} aria-describedby={`number-${i}-menu-hint`} data-testid="number-menu" />
            </Field>
            {numbers.length > 1 && (
              <button type="button" class="button button-small" onClick={() => setNumbers(numbers.filter((_, j) => j !== i))} data-testid="number-remove">
                {t('phone.removeNumber', { number: n.number || String(i + 1) })}
              </button>
            )}
          </div>
        ))}
        <button type="button" class="button button-small" onClick={() => setNumbers([...numbers, { number: '', queue_id: queues[0]?.id ?? '', calendar_id: '', menu: '' }])} data-testid="number-add">
          {t('phone.addNumber')}
        </button>
      </fieldset>
      <Notice kind="error">{menuError}</Notice>
      <Problem error={error} testId="trunk-error" />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy} data-testid="trunk-save">
          {busy ? t('common.working') : t('common.save')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
