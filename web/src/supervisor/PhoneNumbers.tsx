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
import { AdminForm, useSave } from '../components/admin/AdminForm';
import { AdminList, type FormSlot } from '../components/admin/AdminList';
import { CheckField, SelectField, TextAreaField, TextField } from '../components/admin/fields';
import { useLoaded } from '../components/admin/form';
import { Notice } from '../components/Notice';
import { t } from '../i18n';
import { AdminPage } from './AdminNav';

/** PhoneNumbersPage is /admin/phone-numbers. */
export function PhoneNumbersPage() {
  const trunks = useLoaded(phoneApi.trunks);
  const queues = useLoaded(supervisorApi.queues);
  const calendars = useLoaded(supervisorApi.calendars);
  const queueName = (id: string) => queues.items.find((q) => q.id === id)?.name ?? id;
  return (
    <AdminPage title="phone.title" intro="phone.intro" testId="phone-page">
      <AdminList
        prefix="trunk"
        title={t('phone.list')}
        newLabel={t('phone.new')}
        empty={t('phone.empty')}
        list={trunks}
        name={(tr) => tr.name}
        deleteQuestion={(tr) => t('phone.deleteConfirm', { name: tr.name })}
        remove={(tr) => phoneApi.deleteTrunk(tr.id)}
        card={(tr) => (
          <>
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
          </>
        )}
        form={(slot) => <TrunkForm {...slot} queues={queues.items} calendars={calendars.items} />}
      />
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

type Named = { id: string; name: string };

function TrunkForm({ item: trunk, queues, calendars, onCancel, onSaved }: FormSlot<PhoneTrunk> & { queues: Named[]; calendars: Named[] }) {
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
  const save = useSave(onSaved);
  const [menuError, setMenuError] = useState('');
  const fe = save.fe;
  const setNumber = (i: number, patch: Partial<NumberDraft>) => setNumbers(numbers.map((n, j) => (j === i ? { ...n, ...patch } : n)));

  const submit = () => {
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
    void save.run(body, (key) => (trunk ? phoneApi.updateTrunk(trunk.id, body) : phoneApi.createTrunk(body, key)));
  };

  return (
    <AdminForm prefix="trunk" first="trunk-name" title={trunk ? t('phone.editTitle', { name: trunk.name }) : t('phone.new')} saver={save} onSubmit={submit} onCancel={onCancel}>
      <TextField id="trunk-name" testId="trunk-name" required label={t('admin.name')} error={fe('name')} value={name} onValue={setName} />
      <TextField id="trunk-provider" testId="trunk-provider" label={t('phone.provider')} hint={t('phone.providerHint')} error={fe('provider')} value={provider} onValue={setProvider} />
      <SelectField
        id="trunk-transport"
        testId="trunk-transport"
        label={t('phone.transport')}
        error={fe('transport')}
        value={transport}
        onValue={setTransport}
        options={[
          ['udp', 'UDP'],
          ['tcp', 'TCP'],
        ]}
      />
      <TextField id="trunk-username" testId="trunk-username" autocomplete="off" label={t('phone.username')} error={fe('username')} value={username} onValue={setUsername} />
      <TextField
        id="trunk-password"
        testId="trunk-password"
        type="password"
        autocomplete="new-password"
        label={t('phone.password')}
        hint={trunk?.password_set ? t('phone.passwordKept') : t('phone.passwordHint')}
        error={fe('password')}
        value={password}
        onValue={setPassword}
      />
      <CheckField id="trunk-register" testId="trunk-register" label={t('phone.register')} error={fe('register')} checked={register} onValue={setRegister} />
      <TextField id="trunk-accept" testId="trunk-accept" label={t('phone.acceptFrom')} hint={t('phone.acceptFromHint')} error={fe('accept_from')} value={accept} onValue={setAccept} />
      <fieldset>
        <legend>{t('phone.numbers')}</legend>
        {numbers.map((n, i) => (
          <div key={i} class="admin-card" data-testid="number-row">
            <TextField
              id={`number-${i}`}
              testId="number-value"
              required
              placeholder="+15550100"
              label={t('phone.number')}
              error={fe(`numbers.${i}.number`) ?? (i === 0 ? fe('numbers') : undefined)}
              value={n.number}
              onValue={(number) => setNumber(i, { number })}
            />
            <SelectField
              id={`number-${i}-queue`}
              testId="number-queue"
              label={t('phone.queue')}
              error={fe(`numbers.${i}.queue_id`)}
              value={n.queue_id}
              onValue={(queue_id) => setNumber(i, { queue_id })}
              options={queues.map((q) => [q.id, q.name] as const)}
            />
            <SelectField
              id={`number-${i}-calendar`}
              testId="number-calendar"
              label={t('phone.calendar')}
              error={fe(`numbers.${i}.calendar_id`)}
              value={n.calendar_id}
              onValue={(calendar_id) => setNumber(i, { calendar_id })}
              options={calendars.map((c) => [c.id, c.name] as const)}
            >
              <option value="">{t('phone.alwaysOpen')}</option>
            </SelectField>
            <TextAreaField
              id={`number-${i}-menu`}
              testId="number-menu"
              rows={6}
              class="mono"
              label={t('phone.menu')}
              hint={t('phone.menuHint')}
              error={fe(`numbers.${i}.menu`)}
              value={n.menu}
              onValue={(menu) => setNumber(i, { menu })}
            />
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
    </AdminForm>
  );
}
